//! Words synthetic accounts and contacts are made of: company names, people's names in
//! English and Japanese, job titles per persona, industries and countries with their weights.

/// English first names.
pub const EN_FIRST: &[&str] = &[
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Emily",
    "William", "Sarah", "Richard", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Olivia",
    "Mark", "Sophie", "Paul", "Emma", "Steven", "Grace", "Andrew", "Chloe", "Joshua", "Hannah", "Liam",
    "Ava", "Noah", "Mia", "Lucas", "Isabel", "Ethan", "Zoe", "Oscar", "Priya",
];

/// English last names.
pub const EN_LAST: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor", "Clark",
    "Lewis", "Walker", "Hall", "Allen", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams",
    "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Parker",
    "Collins", "Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Patel", "Müller",
];

/// Japanese given names: (romaji, as written).
pub const JA_GIVEN: &[(&str, &str)] = &[
    ("haruto", "陽翔"),
    ("yui", "結衣"),
    ("sota", "蒼太"),
    ("aoi", "葵"),
    ("ren", "蓮"),
    ("mio", "澪"),
    ("takumi", "拓海"),
    ("sakura", "さくら"),
    ("kenji", "健二"),
    ("yuki", "由紀"),
    ("hiroshi", "浩"),
    ("naoko", "直子"),
    ("daiki", "大輝"),
    ("emi", "恵美"),
    ("kaito", "海斗"),
    ("rina", "里奈"),
    ("shota", "翔太"),
    ("mai", "麻衣"),
    ("ryo", "亮"),
    ("ayaka", "彩花"),
    ("takeshi", "武"),
    ("misaki", "美咲"),
    ("yusuke", "祐介"),
    ("kana", "加奈"),
    ("kazuki", "一輝"),
];

/// Japanese family names: (romaji, as written).
pub const JA_FAMILY: &[(&str, &str)] = &[
    ("sato", "佐藤"),
    ("suzuki", "鈴木"),
    ("takahashi", "高橋"),
    ("tanaka", "田中"),
    ("ito", "伊藤"),
    ("watanabe", "渡辺"),
    ("yamamoto", "山本"),
    ("nakamura", "中村"),
    ("kobayashi", "小林"),
    ("kato", "加藤"),
    ("yoshida", "吉田"),
    ("yamada", "山田"),
    ("sasaki", "佐々木"),
    ("yamaguchi", "山口"),
    ("matsumoto", "松本"),
    ("inoue", "井上"),
    ("kimura", "木村"),
    ("hayashi", "林"),
    ("shimizu", "清水"),
    ("mori", "森"),
    ("ikeda", "池田"),
    ("hashimoto", "橋本"),
];

/// First words of company names outside Japan.
pub const EN_COMPANY: &[&str] = &[
    "North",
    "Blue",
    "Bright",
    "Summit",
    "Cedar",
    "Harbor",
    "Silver",
    "Pioneer",
    "Atlas",
    "Nova",
    "Vertex",
    "Granite",
    "Maple",
    "Orbit",
    "Crescent",
    "Evergreen",
    "Redwood",
    "Lumen",
    "Quantum",
    "Sterling",
    "Beacon",
    "Falcon",
    "Horizon",
    "Keystone",
    "Meridian",
    "Onyx",
    "Prairie",
    "Riverside",
];

/// First words of Japanese company names: (romaji, as written).
pub const JA_COMPANY: &[(&str, &str)] = &[
    ("sakura", "さくら"),
    ("hikari", "ひかり"),
    ("kumo", "クモ"),
    ("yamato", "大和"),
    ("fuji", "富士"),
    ("midori", "みどり"),
    ("asahi", "朝日"),
    ("kaze", "風"),
    ("tsubasa", "つばさ"),
    ("mirai", "未来"),
    ("hoshi", "星"),
    ("sora", "そら"),
    ("minato", "港"),
    ("aozora", "青空"),
    ("nishiki", "錦"),
];

/// An industry: key, weight, revenue per employee (USD), English name endings, Japanese ending.
pub struct Industry {
    /// Stored value of `account.industry`.
    pub key: &'static str,
    /// Relative frequency.
    pub weight: u32,
    /// Typical annual revenue per employee.
    pub revenue_per_employee: f64,
    /// Second words of English company names.
    pub en: &'static [&'static str],
    /// Ending of Japanese company names.
    pub ja: &'static str,
}

/// Industries.
pub const INDUSTRIES: &[Industry] = &[
    Industry {
        key: "software",
        weight: 22,
        revenue_per_employee: 250_000.0,
        en: &["Software", "Analytics", "Cloud", "Labs"],
        ja: "システム",
    },
    Industry {
        key: "finance",
        weight: 10,
        revenue_per_employee: 400_000.0,
        en: &["Capital", "Financial", "Bank"],
        ja: "銀行",
    },
    Industry {
        key: "manufacturing",
        weight: 14,
        revenue_per_employee: 300_000.0,
        en: &["Industries", "Manufacturing", "Works"],
        ja: "工業",
    },
    Industry {
        key: "retail",
        weight: 10,
        revenue_per_employee: 180_000.0,
        en: &["Retail", "Stores", "Market"],
        ja: "商事",
    },
    Industry {
        key: "logistics",
        weight: 7,
        revenue_per_employee: 220_000.0,
        en: &["Logistics", "Freight", "Transport"],
        ja: "物流",
    },
    Industry {
        key: "healthcare",
        weight: 8,
        revenue_per_employee: 200_000.0,
        en: &["Health", "Medical", "Care"],
        ja: "メディカル",
    },
    Industry {
        key: "media",
        weight: 5,
        revenue_per_employee: 210_000.0,
        en: &["Media", "Studio", "Publishing"],
        ja: "メディア",
    },
    Industry {
        key: "education",
        weight: 4,
        revenue_per_employee: 120_000.0,
        en: &["Learning", "Academy", "Education"],
        ja: "教育",
    },
    Industry {
        key: "consulting",
        weight: 8,
        revenue_per_employee: 230_000.0,
        en: &["Consulting", "Partners", "Advisory"],
        ja: "コンサルティング",
    },
    Industry {
        key: "telecom",
        weight: 4,
        revenue_per_employee: 450_000.0,
        en: &["Telecom", "Networks", "Communications"],
        ja: "通信",
    },
    Industry {
        key: "energy",
        weight: 3,
        revenue_per_employee: 600_000.0,
        en: &["Energy", "Power", "Utilities"],
        ja: "電力",
    },
    Industry {
        key: "real_estate",
        weight: 5,
        revenue_per_employee: 350_000.0,
        en: &["Properties", "Realty", "Estates"],
        ja: "不動産",
    },
];

/// Countries: ISO code, weight, top-level domains.
pub const COUNTRIES: &[(&str, u32, &[&str])] = &[
    ("JP", 30, &["co.jp", "jp"]),
    ("US", 30, &["com", "io"]),
    ("GB", 8, &["co.uk"]),
    ("DE", 6, &["de"]),
    ("FR", 4, &["fr"]),
    ("SG", 4, &["sg", "com"]),
    ("AU", 4, &["com.au"]),
    ("CA", 4, &["ca"]),
    ("IN", 4, &["in"]),
    ("KR", 3, &["kr"]),
    ("NL", 3, &["nl"]),
];

/// Personas (values of `lead.persona`) with weights and job titles in English and Japanese.
pub const PERSONAS: &[(&str, u32, &[&str], &[&str])] = &[
    (
        "cmo",
        4,
        &["CMO", "Chief Marketing Officer"],
        &["CMO", "マーケティング本部長"],
    ),
    (
        "vp_marketing",
        6,
        &["VP Marketing", "Head of Marketing"],
        &["マーケティング部長"],
    ),
    (
        "marketing_manager",
        16,
        &[
            "Marketing Manager",
            "Demand Generation Manager",
            "Digital Marketing Lead",
        ],
        &["マーケティング課長", "デジタルマーケティング担当"],
    ),
    (
        "cto",
        4,
        &["CTO", "Chief Technology Officer"],
        &["CTO", "最高技術責任者"],
    ),
    (
        "vp_engineering",
        5,
        &["VP Engineering", "Head of Engineering"],
        &["開発部長"],
    ),
    (
        "engineer",
        18,
        &["Software Engineer", "Data Engineer", "IT Manager"],
        &["エンジニア", "情報システム部 課長"],
    ),
    ("cfo", 3, &["CFO", "Finance Director"], &["CFO", "経理部長"]),
    (
        "ceo",
        4,
        &["CEO", "Founder", "Managing Director"],
        &["代表取締役社長", "代表取締役"],
    ),
    (
        "sales_leader",
        8,
        &["Head of Sales", "Sales Director"],
        &["営業部長", "営業本部長"],
    ),
    (
        "operations",
        10,
        &["Head of Operations", "Operations Manager"],
        &["業務部長", "オペレーション課長"],
    ),
    (
        "other",
        12,
        &["Analyst", "Consultant", "Project Manager"],
        &["担当者", "プロジェクトマネージャー"],
    ),
];

/// How often each activity kind happens, by engagement level (dormant, light, engaged, hot);
/// kinds the definition scores but this table lacks get weight 1.
pub const KIND_WEIGHTS: &[(&str, [u32; 4])] = &[
    ("page_view", [90, 55, 30, 20]),
    ("email_click", [10, 20, 18, 12]),
    ("content_download", [0, 12, 18, 14]),
    ("form_submit", [0, 6, 12, 12]),
    ("webinar_attended", [0, 4, 10, 10]),
    ("event_attended", [0, 2, 6, 8]),
    ("demo_request", [0, 1, 3, 12]),
    ("meeting_booked", [0, 0, 3, 12]),
];

/// `n` in base 36 (lower case), for short unique domain parts.
pub fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

pub fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A lower-case ASCII form of a name for email addresses (`Müller` → `muller`).
pub fn ascii_lower(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'ä' | 'Ä' => 'a',
            'ö' | 'Ö' => 'o',
            'ü' | 'Ü' => 'u',
            c => c.to_ascii_lowercase(),
        })
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// `local`, or `local2`, `local3`… when the account already has it.
pub fn unique_local(taken: &mut Vec<String>, local: String) -> String {
    let mut candidate = local.clone();
    let mut n = 1;
    while taken.contains(&candidate) {
        n += 1;
        candidate = format!("{local}{n}");
    }
    taken.push(candidate.clone());
    candidate
}
