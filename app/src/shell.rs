//! The HTML document, the router and the signed-in layout.

use leptos::prelude::*;
use leptos_meta::{Html, Link, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::{SsrMode, path};

use crate::audit::views::AuditPage;
use crate::auth::api::get_session_info;
use crate::auth::views::{SignInPage, UsersPage};
use crate::auth::{SessionInfo, User};
use crate::components::{ErrorPanel, NotFoundPage};
use crate::definitions::views::{
    DefinitionsPage, EditProposalPage, NewProposalPage, ProposalPage, ProposalsPage,
};
use crate::funnel::views::FunnelPage;
use crate::handoffs::views::{HandoffsPage, OpportunitiesPage, ScorecardPage};
use crate::i18n::{I18n, use_i18n};
use crate::imports::views::ImportsPage;
use crate::leads::views::{AccountPage, AccountsPage, LeadPage, LeadsPage};

/// The whole HTML document rendered by the server for every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The signed-in user (or nobody) of the page being rendered.
#[derive(Clone, Debug)]
pub struct CurrentUser(pub Option<User>);

/// The signed-in user from context.
pub fn use_current_user() -> Option<User> {
    use_context::<CurrentUser>().and_then(|c| c.0)
}

/// The session of the page, loaded again on every navigation so that sign-in and
/// sign-out take effect at once.
#[derive(Clone, Copy)]
pub struct SessionResource(pub Resource<Result<SessionInfo, crate::error::AppError>>);

/// The application root: metadata, the language context and the router.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    I18n::provide(crate::i18n::Locale::En);
    view! {
        <Stylesheet id="accord" href="/pkg/accord.css" />
        <Link rel="icon" href="/favicon.ico" />
        <Router>
            <Pages />
        </Router>
    }
}

#[component]
fn Pages() -> impl IntoView {
    let location = use_location();
    let session = Resource::new(move || location.pathname.get(), |_| get_session_info());
    provide_context(SessionResource(session));
    view! {
        <Routes fallback=|| view! { <NotFoundPage /> }>
            <Route path=path!("/login") view=SignInPage ssr=SsrMode::Async />
            <Route path=path!("/") view=FunnelPage ssr=SsrMode::Async />
            <Route path=path!("/admin/users") view=UsersPage ssr=SsrMode::Async />
            <Route path=path!("/definitions") view=DefinitionsPage ssr=SsrMode::Async />
            <Route path=path!("/proposals") view=ProposalsPage ssr=SsrMode::Async />
            <Route path=path!("/proposals/new") view=NewProposalPage ssr=SsrMode::Async />
            <Route path=path!("/proposals/:id") view=ProposalPage ssr=SsrMode::Async />
            <Route path=path!("/proposals/:id/edit") view=EditProposalPage ssr=SsrMode::Async />
            <Route path=path!("/audit") view=AuditPage ssr=SsrMode::Async />
            <Route path=path!("/leads") view=LeadsPage ssr=SsrMode::Async />
            <Route path=path!("/leads/:id") view=LeadPage ssr=SsrMode::Async />
            <Route path=path!("/accounts") view=AccountsPage ssr=SsrMode::Async />
            <Route path=path!("/accounts/:id") view=AccountPage ssr=SsrMode::Async />
            <Route path=path!("/imports") view=ImportsPage ssr=SsrMode::Async />
            <Route path=path!("/handoffs") view=HandoffsPage ssr=SsrMode::Async />
            <Route path=path!("/handoffs/scorecard") view=ScorecardPage ssr=SsrMode::Async />
            <Route path=path!("/opportunities") view=OpportunitiesPage ssr=SsrMode::Async />
        </Routes>
    }
}

/// Renders `children` once the session is known, in the user's language and with the user
/// in context ([`use_current_user`]). Every page is wrapped in one.
#[component]
pub fn SessionGate(children: ChildrenFn) -> impl IntoView {
    let session = expect_context::<SessionResource>().0;
    let i18n = use_i18n();
    view! {
        <Transition fallback=|| view! { <div class="boot" aria-busy="true"></div> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match session.await {
                        Ok(info) => {
                            i18n.set_locale(info.locale);
                            provide_context(CurrentUser(info.user));
                            view! {
                                <Html {..} lang=move || i18n.locale().as_str() />
                                <Title text=move || i18n.t("app.title") />
                                {children()}
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
