//! Bot Control at the common level: self-identifying bots recognised by their user agents, in
//! AWS's categories, verified when they come from the addresses their operators publish.

use super::NativeCheck;
use crate::cidr::IpSet;
use crate::request::Request;

const NAMESPACE: &str = "awswaf:managed:aws:bot-control:";

/// A Bot Control bot category (`bot:category:<name>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// `advertising`.
    Advertising,
    /// `archiver`.
    Archiver,
    /// `content_fetcher`.
    ContentFetcher,
    /// `email_client`.
    EmailClient,
    /// `http_library`.
    HttpLibrary,
    /// `link_checker`.
    LinkChecker,
    /// `miscellaneous`.
    Miscellaneous,
    /// `monitoring`.
    Monitoring,
    /// `scraping_framework`.
    ScrapingFramework,
    /// `search_engine`.
    SearchEngine,
    /// `security`.
    Security,
    /// `seo`.
    Seo,
    /// `social_media`.
    SocialMedia,
}

impl Category {
    pub(crate) const ALL: &'static [Category] = &[
        Category::Advertising,
        Category::Archiver,
        Category::ContentFetcher,
        Category::EmailClient,
        Category::HttpLibrary,
        Category::LinkChecker,
        Category::Miscellaneous,
        Category::Monitoring,
        Category::ScrapingFramework,
        Category::SearchEngine,
        Category::Security,
        Category::Seo,
        Category::SocialMedia,
    ];

    /// The label segment: `search_engine`, ...
    pub fn label(self) -> &'static str {
        match self {
            Category::Advertising => "advertising",
            Category::Archiver => "archiver",
            Category::ContentFetcher => "content_fetcher",
            Category::EmailClient => "email_client",
            Category::HttpLibrary => "http_library",
            Category::LinkChecker => "link_checker",
            Category::Miscellaneous => "miscellaneous",
            Category::Monitoring => "monitoring",
            Category::ScrapingFramework => "scraping_framework",
            Category::SearchEngine => "search_engine",
            Category::Security => "security",
            Category::Seo => "seo",
            Category::SocialMedia => "social_media",
        }
    }

    /// The rule name: `CategorySearchEngine`, ...
    pub fn rule_name(self) -> &'static str {
        match self {
            Category::Advertising => "CategoryAdvertising",
            Category::Archiver => "CategoryArchiver",
            Category::ContentFetcher => "CategoryContentFetcher",
            Category::EmailClient => "CategoryEmailClient",
            Category::HttpLibrary => "CategoryHttpLibrary",
            Category::LinkChecker => "CategoryLinkChecker",
            Category::Miscellaneous => "CategoryMiscellaneous",
            Category::Monitoring => "CategoryMonitoring",
            Category::ScrapingFramework => "CategoryScrapingFramework",
            Category::SearchEngine => "CategorySearchEngine",
            Category::Security => "CategorySecurity",
            Category::Seo => "CategorySeo",
            Category::SocialMedia => "CategorySocialMedia",
        }
    }

    pub(crate) fn from_label(label: &str) -> Option<Category> {
        Category::ALL.iter().copied().find(|c| c.label() == label)
    }
}

/// Known bots: the user-agent token (lowercase), the bot name label, the category.
pub(crate) const BOTS: &[(&str, &str, Category)] = &[
    ("googlebot", "googlebot", Category::SearchEngine),
    ("bingbot", "bingbot", Category::SearchEngine),
    ("slurp", "slurp", Category::SearchEngine),
    ("duckduckbot", "duckduckbot", Category::SearchEngine),
    ("baiduspider", "baiduspider", Category::SearchEngine),
    ("yandexbot", "yandexbot", Category::SearchEngine),
    ("applebot", "applebot", Category::SearchEngine),
    ("seznambot", "seznambot", Category::SearchEngine),
    ("sogou", "sogou", Category::SearchEngine),
    ("adsbot-google", "adsbot_google", Category::Advertising),
    (
        "mediapartners-google",
        "mediapartners_google",
        Category::Advertising,
    ),
    ("amazonadbot", "amazonadbot", Category::Advertising),
    ("ia_archiver", "ia_archiver", Category::Archiver),
    ("archive.org_bot", "archive_org_bot", Category::Archiver),
    ("heritrix", "heritrix", Category::Archiver),
    ("pocketparser", "pocket_parser", Category::ContentFetcher),
    (
        "feedfetcher-google",
        "feedfetcher_google",
        Category::ContentFetcher,
    ),
    ("feedly", "feedly", Category::ContentFetcher),
    ("newsblur", "newsblur", Category::ContentFetcher),
    (
        "googleimageproxy",
        "googleimageproxy",
        Category::EmailClient,
    ),
    ("yahoomailproxy", "yahoomailproxy", Category::EmailClient),
    ("curl/", "curl", Category::HttpLibrary),
    ("wget/", "wget", Category::HttpLibrary),
    ("python-requests", "python_requests", Category::HttpLibrary),
    ("python-urllib", "python_urllib", Category::HttpLibrary),
    ("aiohttp", "aiohttp", Category::HttpLibrary),
    ("go-http-client", "go_http", Category::HttpLibrary),
    ("okhttp", "okhttp", Category::HttpLibrary),
    (
        "apache-httpclient",
        "apache_httpclient",
        Category::HttpLibrary,
    ),
    ("java/", "java", Category::HttpLibrary),
    ("libwww-perl", "libwww_perl", Category::HttpLibrary),
    ("axios/", "axios", Category::HttpLibrary),
    ("node-fetch", "node_fetch", Category::HttpLibrary),
    ("guzzlehttp", "guzzle", Category::HttpLibrary),
    ("httpie", "httpie", Category::HttpLibrary),
    ("linkchecker", "linkchecker", Category::LinkChecker),
    ("w3c-checklink", "w3c_checklink", Category::LinkChecker),
    ("deadlinkchecker", "deadlinkchecker", Category::LinkChecker),
    ("pingdom", "pingdom", Category::Monitoring),
    ("uptimerobot", "uptimerobot", Category::Monitoring),
    ("statuscake", "statuscake", Category::Monitoring),
    ("site24x7", "site24x7", Category::Monitoring),
    ("newrelicpinger", "newrelicpinger", Category::Monitoring),
    ("datadogsynthetics", "datadog", Category::Monitoring),
    ("scrapy", "scrapy", Category::ScrapingFramework),
    ("colly", "colly", Category::ScrapingFramework),
    ("nutch", "nutch", Category::ScrapingFramework),
    ("crawler4j", "crawler4j", Category::ScrapingFramework),
    ("httrack", "httrack", Category::ScrapingFramework),
    ("mechanize", "mechanize", Category::ScrapingFramework),
    ("censysinspect", "censysinspect", Category::Security),
    ("expanse", "expanse", Category::Security),
    (
        "internet-measurement",
        "internet_measurement",
        Category::Security,
    ),
    ("ahrefsbot", "ahrefsbot", Category::Seo),
    ("semrushbot", "semrushbot", Category::Seo),
    ("mj12bot", "mj12bot", Category::Seo),
    ("dotbot", "dotbot", Category::Seo),
    ("rogerbot", "rogerbot", Category::Seo),
    ("screaming frog", "screaming_frog", Category::Seo),
    ("facebookexternalhit", "facebook", Category::SocialMedia),
    ("twitterbot", "twitter", Category::SocialMedia),
    ("linkedinbot", "linkedin", Category::SocialMedia),
    ("slackbot", "slack", Category::SocialMedia),
    ("discordbot", "discord", Category::SocialMedia),
    ("telegrambot", "telegram", Category::SocialMedia),
    ("whatsapp", "whatsapp", Category::SocialMedia),
    ("pinterestbot", "pinterest", Category::SocialMedia),
    ("bot/", "generic_bot", Category::Miscellaneous),
    ("crawler", "generic_crawler", Category::Miscellaneous),
    ("spider", "generic_spider", Category::Miscellaneous),
];

const AUTOMATION_MARKERS: &[&str] = &[
    "headlesschrome",
    "phantomjs",
    "selenium",
    "puppeteer",
    "playwright",
    "webdriver",
    "slimerjs",
    "electron/",
];

fn user_agent(request: &Request) -> Option<String> {
    request
        .header("user-agent")
        .map(|ua| String::from_utf8_lossy(ua).to_ascii_lowercase())
}

/// The first known bot the user agent names.
fn identify(agent: &str) -> Option<(&'static str, Category)> {
    BOTS.iter()
        .find(|(token, _, _)| agent.contains(token))
        .map(|&(_, name, category)| (name, category))
}

pub(super) fn evaluate(
    check: NativeCheck,
    request: &Request,
    verified_bots: &IpSet,
    labels: &mut Vec<String>,
    pending: &mut Vec<String>,
) -> bool {
    let Some(agent) = user_agent(request) else {
        // No user agent at all is a non-browser signal; no category applies.
        return check == NativeCheck::NonBrowserUserAgent;
    };
    match check {
        NativeCheck::BotCategory(category) => {
            let Some((name, found)) = identify(&agent) else {
                return false;
            };
            if found != category {
                return false;
            }
            let name_label = format!("{NAMESPACE}bot:name:{name}");
            if verified_bots.contains(request.client_ip) {
                // AWS labels verified bots and takes no action on them.
                labels.push(format!("{NAMESPACE}bot:category:{}", category.label()));
                labels.push(name_label);
                labels.push(format!("{NAMESPACE}bot:verified"));
                return false;
            }
            pending.push(name_label);
            true
        }
        NativeCheck::AutomatedBrowser => AUTOMATION_MARKERS.iter().any(|m| agent.contains(m)),
        NativeCheck::NonBrowserUserAgent => {
            let browser_like = agent.starts_with("mozilla/") || agent.starts_with("opera/");
            !browser_like && identify(&agent).is_none()
        }
        NativeCheck::Log4jLookup => false,
    }
}
