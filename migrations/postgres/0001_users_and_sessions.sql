-- Users, API tokens, sign-in throttling and server-side sessions (PostgreSQL).
CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    team          TEXT NOT NULL CHECK (team IN ('marketing', 'sdr', 'sales')),
    role          TEXT NOT NULL CHECK (role IN ('member', 'leader', 'admin')),
    locale        TEXT NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'ja')),
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE api_tokens (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX api_tokens_hash_key ON api_tokens (token_hash);

CREATE TABLE sign_in_failures (
    id        BIGSERIAL PRIMARY KEY,
    bucket    TEXT NOT NULL,
    failed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sign_in_failures_bucket_at ON sign_in_failures (bucket, failed_at);

-- The table tower-sessions-sqlx-store reads and writes; created here so that start-up
-- never races on DDL.
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY NOT NULL,
    data        BYTEA NOT NULL,
    expiry_date TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry_date);
