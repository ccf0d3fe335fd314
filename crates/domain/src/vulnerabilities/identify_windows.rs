//! Windows as ledgers write it. Editions have different ends (Home/Pro vs Enterprise/Education
//! vs LTSC/IoT); "22H2" is the marketing name of build 19045, which NVD versions as 10.0.19045.x.

use std::sync::LazyLock;

use regex::Regex;

use super::cpe::CpePart;
use super::identify::{cpe, Candidates, CycleFilter, Identified};

#[allow(clippy::expect_used)] // the patterns are constants, checked by the tests
fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a valid pattern")
}

static SERVER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:windows|win|\bws)\s*(?:server|svr|srv|sv|サーバ)?\s*(?P<year>2003|2008|2012|2016|2019|2022|2025)\s*(?P<r2>r2)?",
    )
});
static SERVER_SAC: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:windows|win)\s*(?:server|svr|srv)\s*(?:version\s*)?(?P<rel>1709|1803|1809|1903|1909|2004|20h2|23h2)",
    )
});
static CLIENT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:windows|\bwin)\s*(?P<major>xp|vista|2000|8\.1|10|11|7|8|me|98|95|nt)(?:[^\d]|$)")
});
static RELEASE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:^|[^\d])(?P<rel>\d\dh\d|1507|1511|1607|1703|1709|1803|1809|1903|1909|2004)(?:[^\d]|$)")
});
static BUILD: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:10\.0\.|build\s*|^|[^\d.])(?P<build>1\d{4}|2\d{4})(?:\.(?P<ubr>\d+))?")
});
static LTSC_YEAR: LazyLock<Regex> =
    LazyLock::new(|| re(r"lts[bc]\s*(?P<year>2015|2016|2019|2021|2024)"));
static SERVICE_PACK: LazyLock<Regex> = LazyLock::new(|| re(r"sp\s*(?P<n>\d)"));

/// Windows 10 and 11 builds and their releases.
const BUILDS: &[(&str, u32, &str)] = &[
    ("10", 10240, "1507"),
    ("10", 10586, "1511"),
    ("10", 14393, "1607"),
    ("10", 15063, "1703"),
    ("10", 16299, "1709"),
    ("10", 17134, "1803"),
    ("10", 17763, "1809"),
    ("10", 18362, "1903"),
    ("10", 18363, "1909"),
    ("10", 19041, "2004"),
    ("10", 19042, "20h2"),
    ("10", 19043, "21h1"),
    ("10", 19044, "21h2"),
    ("10", 19045, "22h2"),
    ("11", 22000, "21h2"),
    ("11", 22621, "22h2"),
    ("11", 22631, "23h2"),
    ("11", 26100, "24h2"),
    ("11", 26200, "25h2"),
    ("11", 28000, "26h1"),
];

/// LTSB/LTSC editions by year, and their releases.
const LTSC: &[(&str, &str, &str)] = &[
    ("10", "2015", "1507"),
    ("10", "2016", "1607"),
    ("10", "2019", "1809"),
    ("10", "2021", "21h2"),
    ("11", "2024", "24h2"),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Edition {
    HomePro,
    Enterprise,
    LongTerm,
    IoT,
    Unknown,
}

impl Edition {
    fn of(t: &str) -> Edition {
        if t.contains("iot") {
            Edition::IoT
        } else if t.contains("ltsc") || t.contains("ltsb") {
            Edition::LongTerm
        } else if ["enterprise", "education", "エンタープライズ", " edu"]
            .iter()
            .any(|w| t.contains(w))
        {
            Edition::Enterprise
        } else if ["home", "pro", "ホーム"].iter().any(|w| t.contains(w)) {
            Edition::HomePro
        } else {
            Edition::Unknown
        }
    }

    fn words(self) -> Option<&'static str> {
        match self {
            Edition::HomePro => Some("Home/Pro"),
            Edition::Enterprise => Some("Enterprise/Education"),
            Edition::LongTerm => Some("LTSC"),
            Edition::IoT => Some("IoT Enterprise LTSC"),
            Edition::Unknown => None,
        }
    }

    /// Cycle name endings of a release in this edition, in endoflife.date's naming.
    fn suffixes(self) -> &'static [&'static str] {
        match self {
            Edition::HomePro => &["-w", ""],
            Edition::Enterprise => &["-e", ""],
            Edition::LongTerm => &["-e-lts", "-lts"],
            Edition::IoT => &["-iot-lts", "-iot", "-e-lts"],
            Edition::Unknown => &["-w", "-e", ""],
        }
    }
}

/// Windows, client or server, from normalized text.
pub(crate) fn identify_windows(t: &str) -> Option<Identified> {
    if t.contains("embedded") || t.contains("posready") {
        return Some(embedded(t));
    }
    if let Some(found) = server(t) {
        return Some(found);
    }
    if let Some(major) = CLIENT.captures(t).and_then(|c| c.name("major")) {
        return Some(client(t, major.as_str()));
    }
    // "Windows Server" with no year: a server, its release unknown.
    let bare_server = t.contains("windows") && (t.contains("server") || t.contains("svr"));
    bare_server.then(|| Identified {
        label: "Windows Server".into(),
        lifecycle: Some("windows-server"),
        candidates: Candidates::Filtered(CycleFilter {
            prefix: String::new(),
            long_term: None,
            edition: None,
        }),
        edition: None,
        version: None,
        cpe: None,
    })
}

fn server(t: &str) -> Option<Identified> {
    if let Some(c) = SERVER_SAC.captures(t) {
        let rel = c.name("rel")?.as_str();
        let cycle = if rel == "23h2" {
            format!("{rel}-ac")
        } else {
            format!("{rel}-sac")
        };
        return Some(Identified {
            label: format!("Windows Server {}", rel.to_uppercase()),
            lifecycle: Some("windows-server"),
            candidates: Candidates::Named {
                names: vec![cycle],
                first: true,
            },
            edition: None,
            version: build(t, None).map(|(_, v)| v),
            cpe: Some(cpe(
                CpePart::OperatingSystem,
                "microsoft",
                &format!("windows_server_{rel}"),
                None,
            )),
        });
    }
    let c = SERVER.captures(t)?;
    let year = c.name("year")?.as_str();
    // "Windows 2012" is a server; "Windows 2000" is the client and server family of 2000.
    let r2 = c.name("r2").is_some();
    let sp = SERVICE_PACK
        .captures(t)
        .and_then(|c| c.name("n"))
        .map(|n| n.as_str().to_string());
    let (names, first) = match (year, r2) {
        ("2008", true) => (vec!["2008-r2-sp1".to_string()], true),
        ("2008", false) => (vec!["2008-sp2".to_string()], true),
        ("2012", true) => (vec!["2012-r2".to_string()], true),
        ("2003", _) => match &sp {
            Some(n) => (vec![format!("2003-sp{n}")], true),
            None => (
                vec!["2003".into(), "2003-sp1".into(), "2003-sp2".into()],
                false,
            ),
        },
        _ => (vec![year.to_string()], true),
    };
    let label = format!("Windows Server {year}{}", if r2 { " R2" } else { "" });
    let mut product_cpe = cpe(
        CpePart::OperatingSystem,
        "microsoft",
        &format!("windows_server_{year}"),
        None,
    );
    if r2 {
        product_cpe.update = "r2".into();
    }
    Some(Identified {
        label,
        lifecycle: Some("windows-server"),
        candidates: Candidates::Named { names, first },
        edition: None,
        version: build(t, None).map(|(_, v)| v),
        cpe: Some(product_cpe),
    })
}

/// The build, and the NVD version (10.0.build.ubr) when the update revision is written too.
fn build(t: &str, major: Option<&str>) -> Option<(Option<&'static str>, String)> {
    for c in BUILD.captures_iter(t) {
        let Some(number) = c.name("build").and_then(|b| b.as_str().parse::<u32>().ok()) else {
            continue;
        };
        let release = BUILDS
            .iter()
            .find(|(m, b, _)| *b == number && major.is_none_or(|major| major == *m))
            .map(|(_, _, r)| *r);
        if release.is_none() && major.is_some() {
            continue;
        }
        let version = match c.name("ubr") {
            Some(ubr) => format!("10.0.{number}.{}", ubr.as_str()),
            None => format!("10.0.{number}"),
        };
        return Some((release, version));
    }
    None
}

fn client(t: &str, major: &str) -> Identified {
    let edition = Edition::of(t);
    let (names, label_major, cpe_product) = match major {
        "xp" => (vec!["5-sp3"], "XP", "windows_xp"),
        "vista" => (vec!["6-sp2"], "Vista", "windows_vista"),
        "7" => (vec!["7-sp1"], "7", "windows_7"),
        "8" => (vec!["8"], "8", "windows_8"),
        "8.1" => (vec!["8.1"], "8.1", "windows_8.1"),
        "10" | "11" => return client_10_11(t, major, edition),
        // Windows 2000 and older: endoflife.date keeps Windows 2000 among the servers.
        _ => (vec!["2000"], "2000", "windows_2000"),
    };
    let lifecycle = if label_major == "2000" {
        "windows-server"
    } else {
        "windows"
    };
    Identified {
        label: format!("Windows {label_major}"),
        lifecycle: Some(lifecycle),
        candidates: Candidates::Named {
            names: names.into_iter().map(String::from).collect(),
            first: true,
        },
        edition: None,
        version: None,
        cpe: Some(cpe(
            CpePart::OperatingSystem,
            "microsoft",
            cpe_product,
            None,
        )),
    }
}

fn client_10_11(t: &str, major: &str, edition: Edition) -> Identified {
    let built = build(t, Some(major));
    let release = LTSC_YEAR
        .captures(t)
        .and_then(|c| c.name("year"))
        .and_then(|y| {
            LTSC.iter()
                .find(|(m, year, _)| *m == major && *year == y.as_str())
                .map(|(_, _, r)| *r)
        })
        .or_else(|| built.as_ref().and_then(|(r, _)| *r))
        .or_else(|| {
            RELEASE
                .captures(t)
                .and_then(|c| c.name("rel"))
                .map(|r| r.as_str())
                .filter(|r| BUILDS.iter().any(|(m, _, rel)| *m == major && rel == r))
        });
    let version = built
        .map(|(_, v)| v)
        .filter(|v| v.matches('.').count() == 3);
    let edition_words = edition.words();
    let (candidates, label, cpe_product) = match release {
        Some(rel) => (
            Candidates::Named {
                names: edition
                    .suffixes()
                    .iter()
                    .map(|s| format!("{major}-{rel}{s}"))
                    .collect(),
                first: edition != Edition::Unknown,
            },
            format!("Windows {major} {}", rel.to_uppercase()),
            format!("windows_{major}_{rel}"),
        ),
        None => (
            Candidates::Filtered(CycleFilter {
                prefix: format!("{major}-"),
                long_term: Some(matches!(edition, Edition::LongTerm | Edition::IoT)),
                edition: match edition {
                    Edition::HomePro => Some('w'),
                    Edition::Enterprise => Some('e'),
                    _ => None,
                },
            }),
            format!("Windows {major}"),
            format!("windows_{major}"),
        ),
    };
    let label = match edition_words {
        Some(words) => format!("{label} ({words})"),
        None => label,
    };
    Identified {
        label,
        lifecycle: Some("windows"),
        candidates,
        edition: edition_words,
        version,
        cpe: Some(cpe(
            CpePart::OperatingSystem,
            "microsoft",
            &cpe_product,
            None,
        )),
    }
}

fn embedded(t: &str) -> Identified {
    let named = |name: &str| Candidates::Named {
        names: vec![name.to_string()],
        first: true,
    };
    let (candidates, label) = if t.contains("posready") {
        (named("posready-7"), "Windows Embedded POSReady 7")
    } else if t.contains("8.1") && t.contains("industry") {
        (named("8.1-industry"), "Windows Embedded 8.1 Industry")
    } else if t.contains("8.1") {
        (named("8.1-pro"), "Windows Embedded 8.1 Pro")
    } else if t.contains("compact") && t.contains("2013") {
        (named("compact-2013"), "Windows Embedded Compact 2013")
    } else if t.contains("compact") && t.contains('7') {
        (named("compact-7"), "Windows Embedded Compact 7")
    } else if t.contains("standard") && t.contains('7') || t.contains(" 7") {
        (named("standard-7-sp1"), "Windows Embedded Standard 7")
    } else {
        (
            Candidates::Filtered(CycleFilter {
                prefix: String::new(),
                long_term: None,
                edition: None,
            }),
            "Windows Embedded",
        )
    };
    Identified {
        label: label.into(),
        lifecycle: Some("windows-embedded"),
        candidates,
        edition: None,
        version: None,
        cpe: None,
    }
}
