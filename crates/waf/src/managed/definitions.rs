//! The managed rule groups' rules, in the WAFv2 API's JSON shapes. Rule names, actions and
//! labels are AWS's (developer guide, "AWS Managed Rules rule groups list"); what each rule
//! inspects is written from its documented purpose and the attack class it names, not from any
//! test corpus.

use serde_json::{json, Value};

use super::bots::Category;
use super::{build, ManagedRuleGroup};

/// 2024-01-01T00:00:00Z: when the versions offered here were published.
const PUBLISHED: u64 = 1_704_067_200;

pub(super) fn all() -> Vec<ManagedRuleGroup> {
    vec![
        common_rule_set(),
        admin_protection(),
        known_bad_inputs(),
        sqli(),
        linux(),
        unix(),
        windows(),
        php(),
        wordpress(),
        amazon_ip_reputation(),
        anonymous_ip(),
        bot_control(),
    ]
}

fn rule(name: &str, label: &str, statement: Value) -> Value {
    rule_with_action(name, label, statement, "Block")
}

fn rule_with_action(name: &str, label: &str, statement: Value, action: &str) -> Value {
    json!({
        "Name": name,
        "Priority": 0,
        "Statement": statement,
        "Action": { action: {} },
        "RuleLabels": [{ "Name": label }],
        "VisibilityConfig": { "SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": name },
    })
}

/// Numbers the rules' priorities in list order.
fn ordered(mut rules: Vec<Value>) -> Value {
    for (i, rule) in rules.iter_mut().enumerate() {
        rule["Priority"] = json!(i);
    }
    Value::Array(rules)
}

fn transformations(types: &[&str]) -> Value {
    Value::Array(
        types
            .iter()
            .enumerate()
            .map(|(i, t)| json!({ "Priority": i, "Type": t }))
            .collect(),
    )
}

fn query_arguments() -> Value {
    json!({ "AllQueryArguments": {} })
}
fn query_string() -> Value {
    json!({ "QueryString": {} })
}
fn uri_path() -> Value {
    json!({ "UriPath": {} })
}
fn body() -> Value {
    json!({ "Body": { "OversizeHandling": "CONTINUE" } })
}
fn cookies() -> Value {
    json!({ "Cookies": { "MatchPattern": { "All": {} }, "MatchScope": "ALL", "OversizeHandling": "CONTINUE" } })
}
fn cookie_values() -> Value {
    json!({ "Cookies": { "MatchPattern": { "All": {} }, "MatchScope": "VALUE", "OversizeHandling": "CONTINUE" } })
}
fn headers() -> Value {
    json!({ "Headers": { "MatchPattern": { "All": {} }, "MatchScope": "ALL", "OversizeHandling": "CONTINUE" } })
}
fn header(name: &str) -> Value {
    json!({ "SingleHeader": { "Name": name } })
}

/// How the text-pattern rules read a value: URL decoding twice (double encoding), HTML
/// entities, NUL bytes dropped (C-based parsers stop at or skip them, `.%00./`), lowercase.
/// One list for most rules, so that evaluation decodes each field once for all of them.
const DECODE: &[&str] = &[
    "URL_DECODE_UNI",
    "URL_DECODE_UNI",
    "HTML_ENTITY_DECODE",
    "REMOVE_NULLS",
    "LOWERCASE",
];

fn regex(field: Value, types: &[&str], pattern: &str) -> Value {
    json!({ "RegexMatchStatement": { "RegexString": pattern, "FieldToMatch": field, "TextTransformations": transformations(types) } })
}

fn size_over(field: Value, size: u64) -> Value {
    json!({ "SizeConstraintStatement": { "FieldToMatch": field, "ComparisonOperator": "GT", "Size": size, "TextTransformations": transformations(&["NONE"]) } })
}

fn sqli_match(field: Value, types: &[&str]) -> Value {
    json!({ "SqliMatchStatement": { "FieldToMatch": field, "TextTransformations": transformations(types), "SensitivityLevel": "LOW" } })
}

fn xss_match(field: Value, types: &[&str]) -> Value {
    json!({ "XssMatchStatement": { "FieldToMatch": field, "TextTransformations": transformations(types) } })
}

fn or(statements: Vec<Value>) -> Value {
    json!({ "OrStatement": { "Statements": statements } })
}

fn not(statement: Value) -> Value {
    json!({ "NotStatement": { "Statement": statement } })
}

fn ip_list(name: &str) -> Value {
    json!({ "IPSetReferenceStatement": { "ARN": format!("managed-ip-list:{name}") } })
}

fn native(check: &str) -> Value {
    json!({ "PalisadeNativeCheck": { "Check": check } })
}

fn native_on(check: &str, field: Value, types: &[&str]) -> Value {
    json!({ "PalisadeNativeCheck": { "Check": check, "FieldToMatch": field, "TextTransformations": transformations(types) } })
}

/// The EC2 instance metadata service, by address in its dotted, decimal, hex and IPv6 forms
/// and by name.
const EC2_METADATA: &str = r"(?:169\.254\.169\.254|\b2852039166\b|0xa9\.?0?xfe\.?0?xa9\.?0?xfe|0xa9fea9fe|\b0251\.0376\.0251\.0376\b|fd00:ec2::254|instance-data(?:\.ec2\.internal)?\b)";

/// A parent-directory step: `../`, `..\`, `..;/`, a final `/..`, and the filter evasions
/// `..../` and `.../`; dots and slashes may be over-long UTF-8 sequences (`%c0%ae`, `%c0%af`,
/// `%c1%9c`), which old decoders read as ASCII.
const TRAVERSAL: &str = r"(?:^|[/\\]|\xc0\xaf|\xc1\x9c)(?:(?:\.|\xc0\xae|\xc0\x2e|\xe0\x80\xae|\xf0\x80\x80\xae|\xf8\x80\x80\x80\xae){2}(?:[/\\;]|\xc0\xaf|\xe0\x80\xaf|\xf0\x80\x80\xaf|\xc1\x9c|\xc1\x1c|\xc0\x5c|$)|\.{3,}[/\\])";

/// Extensions of files that hold configuration, logs, backups or secrets.
const RESTRICTED_EXTENSIONS: &str = r"\.(?:bak|backup|bat|cfg|cmd|conf|config|db|dll|env|exe|htaccess|htpasswd|inc|ini|key|log|mdb|old|orig|pem|pwd|sql|sqlite|swp|sys|tmp)(?:$|[?#;&\x00])";

/// A URL whose host is an IPv4 address: remote file inclusion from an attacker's server.
const RFI: &str = r"(?i)(?:https?|ftps?|file)://(?:[^/@\s]*@)?\[?(?:\d{1,3}\.){3}\d{1,3}";

/// User agents of vulnerability scanners and attack tools.
const BAD_BOTS: &str = r"(?:nessus|nmap|nikto|sqlmap|masscan|zgrab|w3af|acunetix|netsparker|dirbuster|gobuster|wpscan|openvas|havij|zmeu|morfeus|jorgee|nuclei|fimap|arachni|appscan|webinspect|whatweb|commix|paros|ffuf|feroxbuster|wfuzz|burpcollaborator|qualys)";

fn common_rule_set() -> ManagedRuleGroup {
    let rules = vec![
        rule(
            "NoUserAgent_HEADER",
            "NoUserAgent_Header",
            not(size_over(header("user-agent"), 0)),
        ),
        rule(
            "UserAgent_BadBots_HEADER",
            "BadBots_Header",
            regex(header("user-agent"), &["URL_DECODE", "LOWERCASE"], BAD_BOTS),
        ),
        rule(
            "SizeRestrictions_QUERYSTRING",
            "SizeRestrictions_QueryString",
            size_over(query_string(), 2048),
        ),
        rule(
            "SizeRestrictions_Cookie_HEADER",
            "SizeRestrictions_Cookie_Header",
            size_over(header("cookie"), 10240),
        ),
        rule(
            "SizeRestrictions_BODY",
            "SizeRestrictions_Body",
            size_over(json!({ "Body": { "OversizeHandling": "CONTINUE" } }), 8192),
        ),
        rule(
            "SizeRestrictions_URIPATH",
            "SizeRestrictions_URIPath",
            size_over(uri_path(), 1024),
        ),
        rule(
            "EC2MetaDataSSRF_BODY",
            "EC2MetaDataSSRF_Body",
            regex(body(), DECODE, EC2_METADATA),
        ),
        rule(
            "EC2MetaDataSSRF_COOKIE",
            "EC2MetaDataSSRF_Cookie",
            regex(cookies(), DECODE, EC2_METADATA),
        ),
        rule(
            "EC2MetaDataSSRF_URIPATH",
            "EC2MetaDataSSRF_URIPath",
            regex(uri_path(), DECODE, EC2_METADATA),
        ),
        rule(
            "EC2MetaDataSSRF_QUERYARGUMENTS",
            "EC2MetaDataSSRF_QueryArguments",
            regex(query_arguments(), DECODE, EC2_METADATA),
        ),
        rule(
            "GenericLFI_QUERYARGUMENTS",
            "GenericLFI_QueryArguments",
            regex(query_arguments(), DECODE, TRAVERSAL),
        ),
        rule(
            "GenericLFI_URIPATH",
            "GenericLFI_URIPath",
            regex(uri_path(), DECODE, TRAVERSAL),
        ),
        rule(
            "GenericLFI_BODY",
            "GenericLFI_Body",
            regex(body(), DECODE, TRAVERSAL),
        ),
        rule(
            "RestrictedExtensions_URIPATH",
            "RestrictedExtensions_URIPath",
            regex(uri_path(), DECODE, RESTRICTED_EXTENSIONS),
        ),
        rule(
            "RestrictedExtensions_QUERYARGUMENTS",
            "RestrictedExtensions_QueryArguments",
            regex(query_arguments(), DECODE, RESTRICTED_EXTENSIONS),
        ),
        rule(
            "GenericRFI_QUERYARGUMENTS",
            "GenericRFI_QueryArguments",
            regex(query_arguments(), DECODE, RFI),
        ),
        rule(
            "GenericRFI_BODY",
            "GenericRFI_Body",
            regex(body(), DECODE, RFI),
        ),
        rule(
            "GenericRFI_URIPATH",
            "GenericRFI_URIPath",
            regex(uri_path(), DECODE, RFI),
        ),
        rule(
            "CrossSiteScripting_COOKIE",
            "CrossSiteScripting_Cookie",
            xss_match(cookie_values(), DECODE),
        ),
        rule(
            "CrossSiteScripting_QUERYARGUMENTS",
            "CrossSiteScripting_QueryArguments",
            xss_match(query_arguments(), DECODE),
        ),
        rule(
            "CrossSiteScripting_BODY",
            "CrossSiteScripting_Body",
            xss_match(body(), DECODE),
        ),
        rule(
            "CrossSiteScripting_URIPATH",
            "CrossSiteScripting_URIPath",
            xss_match(uri_path(), DECODE),
        ),
    ];
    build(
        "AWSManagedRulesCommonRuleSet",
        "Contains rules that are generally applicable to web applications. This provides protection against exploitation of a wide range of vulnerabilities, including those described in OWASP publications.",
        700,
        "awswaf:managed:aws:core-rule-set:",
        &[("Version_1.0", PUBLISHED)],
        &[],
        ordered(rules),
    )
}

fn admin_protection() -> ManagedRuleGroup {
    let admin_paths = r"^/(?:admin|administrator|wp-admin|phpmyadmin|pma|sqlmanager|mysqladmin|myadmin|manager/html|admin-console|adminer|webadmin|cpanel|controlpanel|jmx-console|web-console|siteadmin|admincp|backoffice)(?:[/.?;]|$)";
    let rules = vec![rule(
        "AdminProtection_URIPATH",
        "AdminProtection_URIPath",
        regex(uri_path(), DECODE, admin_paths),
    )];
    build(
        "AWSManagedRulesAdminProtectionRuleSet",
        "Contains rules that allow you to block external access to exposed admin pages. This may be useful if you are running third-party software or would like to reduce the risk of a malicious actor gaining administrative access to your application.",
        100,
        "awswaf:managed:aws:admin-protection:",
        &[("Version_1.0", PUBLISHED)],
        &[],
        ordered(rules),
    )
}

fn known_bad_inputs() -> ManagedRuleGroup {
    let java_rce = r"(?:java\.lang\.(?:runtime|processbuilder|reflect|class)|getruntime\s*\(\s*\)\s*\.\s*exec|new\s+processbuilder|class\.module\.classloader|spring\.cloud\.function\.routing-expression|\bt\s*\(\s*java\.|javax\.script\.scriptenginemanager|org\.apache\.commons\.collections|ysoserial|ro0ab|\xac\xed\x00\x05)";
    let localhost =
        r"^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0|0x7f000001|2130706433)(?::\d+)?$";
    let exploitable_paths = r"(?:/web-inf\b|/meta-inf\b|/\.git(?:/|$)|/\.svn(?:/|$)|/\.hg(?:/|$)|/\.env\b|/\.aws/|/\.ssh/|/\.ds_store|/server-status\b|/actuator/(?:env|heapdump|jolokia|gateway|shutdown)\b|/jmx-console\b|/invoker/(?:jmx|ejb)invokerservlet|/cgi-bin/.*\.(?:sh|pl|cgi)\b)";
    let log4j = |name: &str, label: &str, field: Value| {
        rule(
            name,
            label,
            native_on(
                "Log4jLookup",
                field,
                &[
                    "URL_DECODE_UNI",
                    "URL_DECODE_UNI",
                    "HTML_ENTITY_DECODE",
                    "JS_DECODE",
                ],
            ),
        )
    };
    let rules = vec![
        rule(
            "JavaDeserializationRCE_HEADER",
            "JavaDeserializationRCE_Header",
            regex(headers(), DECODE, java_rce),
        ),
        rule(
            "JavaDeserializationRCE_BODY",
            "JavaDeserializationRCE_Body",
            regex(body(), DECODE, java_rce),
        ),
        rule(
            "JavaDeserializationRCE_URIPATH",
            "JavaDeserializationRCE_URIPath",
            regex(uri_path(), DECODE, java_rce),
        ),
        rule(
            "JavaDeserializationRCE_QUERYSTRING",
            "JavaDeserializationRCE_QueryString",
            regex(query_string(), DECODE, java_rce),
        ),
        rule(
            "Host_localhost_HEADER",
            "Host_Localhost_Header",
            regex(header("host"), &["LOWERCASE"], localhost),
        ),
        rule(
            "PROPFIND_METHOD",
            "Propfind_Method",
            json!({ "ByteMatchStatement": { "SearchString": "UFJPUEZJTkQ=", "FieldToMatch": { "Method": {} }, "TextTransformations": transformations(&["NONE"]), "PositionalConstraint": "EXACTLY" } }),
        ),
        rule(
            "ExploitablePaths_URIPATH",
            "ExploitablePaths_URIPath",
            regex(uri_path(), DECODE, exploitable_paths),
        ),
        log4j("Log4JRCE_HEADER", "Log4JRCE_Header", headers()),
        log4j(
            "Log4JRCE_QUERYSTRING",
            "Log4JRCE_QueryString",
            query_string(),
        ),
        log4j("Log4JRCE_BODY", "Log4JRCE_Body", body()),
        log4j("Log4JRCE_URIPATH", "Log4JRCE_URIPath", uri_path()),
    ];
    build(
        "AWSManagedRulesKnownBadInputsRuleSet",
        "Contains rules that allow you to block request patterns that are known to be invalid and are associated with exploitation or discovery of vulnerabilities. This can help reduce the risk of a malicious actor discovering a vulnerable application.",
        200,
        "awswaf:managed:aws:known-bad-inputs:",
        &[("Version_1.0", PUBLISHED)],
        &[],
        ordered(rules),
    )
}

fn sqli() -> ManagedRuleGroup {
    // What the built-in detector leaves to these rules: time-based blind probes, schema
    // discovery, stacked queries and file access, which read like prose to a tokenizer.
    let extended = r"(?i)(?:\b(?:sleep|benchmark|pg_sleep|dbms_pipe\.receive_message|randomblob)\s*\(|\bwaitfor\s+(?:delay|time)\s|\binformation_schema\b|\bsys\.(?:objects|tables|columns|databases)\b|\bsysobjects\b|\bmysql\.user\b|\bpg_(?:catalog|shadow|user)\b|\bsqlite_master\b|;\s*(?:drop|shutdown|declare|exec(?:ute)?|truncate|alter|create|insert|update|delete)\s|\bxp_cmdshell\b|\bload_file\s*\(|\binto\s+(?:out|dump)file\b|\butl_(?:http|inaddr)\.|@@version\b|\bchar\s*\(\s*\d+\s*(?:,\s*\d+\s*){2,}\))";
    let types = &[
        "URL_DECODE_UNI",
        "URL_DECODE_UNI",
        "HTML_ENTITY_DECODE",
        "REPLACE_COMMENTS",
        "COMPRESS_WHITE_SPACE",
    ];
    let rules = vec![
        rule(
            "SQLi_QUERYARGUMENTS",
            "SQLi_QueryArguments",
            sqli_match(query_arguments(), DECODE),
        ),
        rule(
            "SQLiExtendedPatterns_QUERYARGUMENTS",
            "SQLiExtendedPatterns_QueryArguments",
            regex(query_arguments(), types, extended),
        ),
        rule("SQLi_BODY", "SQLi_Body", sqli_match(body(), DECODE)),
        rule(
            "SQLiExtendedPatterns_BODY",
            "SQLiExtendedPatterns_Body",
            regex(body(), types, extended),
        ),
        rule(
            "SQLi_COOKIE",
            "SQLi_Cookie",
            sqli_match(cookie_values(), DECODE),
        ),
    ];
    build(
        "AWSManagedRulesSQLiRuleSet",
        "Contains rules that allow you to block request patterns associated with exploitation of SQL databases, like SQL injection attacks. This can help prevent remote injection of unauthorized queries.",
        200,
        "awswaf:managed:aws:sql-database:",
        &[("Version_1.0", PUBLISHED), ("Version_2.0", PUBLISHED)],
        &[],
        ordered(rules),
    )
}

fn linux() -> ManagedRuleGroup {
    let lfi = r"(?:/proc/(?:self|\d+|thread-self)/(?:environ|cmdline|fd|maps|status|cwd|exe|mem)\b|/proc/(?:version|cpuinfo|meminfo|mounts|net/)|/etc/(?:passwd|shadow|group|gshadow|hosts|issue|motd|crontab|sudoers|hostname|resolv\.conf)\b|/var/log/|/\.ssh/(?:id_[a-z0-9]+|authorized_keys|known_hosts)|/root/\.|/usr/local/(?:etc|lib)/)";
    let types = &[
        "URL_DECODE_UNI",
        "URL_DECODE_UNI",
        "HTML_ENTITY_DECODE",
        "NORMALIZE_PATH",
        "LOWERCASE",
    ];
    let rules = vec![
        rule("LFI_URIPATH", "LFI_URIPath", regex(uri_path(), types, lfi)),
        rule(
            "LFI_QUERYSTRING",
            "LFI_QueryString",
            regex(query_string(), types, lfi),
        ),
        rule("LFI_HEADER", "LFI_Header", regex(headers(), types, lfi)),
    ];
    build(
        "AWSManagedRulesLinuxRuleSet",
        "Contains rules that block request patterns associated with exploitation of vulnerabilities specific to Linux, including LFI attacks. This can help prevent attacks that expose file contents or execute code for which the attacker should not have had access.",
        200,
        "awswaf:managed:aws:linux-os:",
        &[("Version_1.0", PUBLISHED)],
        &[],
        ordered(rules),
    )
}

/// Shell command injection on POSIX systems: a command after a separator or inside a
/// substitution, shell variables, shells and well-known files by path, and a Bash function
/// definition at the start of a value (Shellshock: Bash runs what follows `() {...}` in an
/// environment variable, and CGI puts headers and the query into the environment).
///
/// After a separator, a command that is also an English word (`cat`, `more`, `sleep`, `find`,
/// `copy`) counts only with an operand that looks like one (a path, a flag, a variable, a
/// quote), so that "dog;cat;bird" and "it rained; more came later" stay prose; commands that are
/// no words (`whoami`, `uname`, `ifconfig`) count alone.
const UNIX_SHELL: &str = r"(?i)(?:(?:[;&|`\n]|\$\(|\|\||&&)\s*(?:[\w/.-]*/)?(?:(?:whoami|uname|ifconfig|netstat|hostname|wget|curl|ncat|netcat|nslookup|mkfifo|telnet|tftp|socat|crontab|useradd|nohup|sudo|python[23]?|perl|bash|zsh|ksh|id|ls|ps|env)\b|(?:cat|nc|sh|dash|ruby|php|chmod|chown|echo|printf|ping|dig|sleep|rm|base64|kill|touch|awk|sed|xargs|head|tail|more|less|find|su|passwd|history)\s+(?:-{1,2}\w|[/~$.'`]|\d)|(?:echo|printf)\s+\w+\s*[>|])|\$\{?(?:HOME|PATH|IFS|SHELL|USER|PWD|BASH|HOSTNAME|UID)\b|/bin/(?:ba|z|c|k|da|tc)?sh\b|/usr/bin/(?:env|perl|python[23]?|id|whoami)\b|\$\(\s*[a-z]|`\s*(?:[a-z]+\s+)*[a-z/]+[^`]*`|^\s*\(\s*\)\s*\{)";

fn unix() -> ManagedRuleGroup {
    let types = &[
        "URL_DECODE_UNI",
        "URL_DECODE_UNI",
        "HTML_ENTITY_DECODE",
        "ESCAPE_SEQ_DECODE",
    ];
    let rules = vec![
        rule(
            "UNIXShellCommandsVariables_QUERYARGUMENTS",
            "UNIXShellCommandsVariables_QUERYARGUMENTS",
            regex(query_arguments(), types, UNIX_SHELL),
        ),
        rule(
            "UNIXShellCommandsVariables_BODY",
            "UNIXShellCommandsVariables_BODY",
            regex(body(), types, UNIX_SHELL),
        ),
    ];
    build(
        "AWSManagedRulesUnixRuleSet",
        "Contains rules that block request patterns associated with exploiting vulnerabilities specific to POSIX/POSIX-like OS, including LFI attacks. This can help prevent attacks that expose file contents or execute code for which access should not been allowed.",
        100,
        "awswaf:managed:aws:posix-os:",
        &[("Version_1.0", PUBLISHED)],
        &[],
        ordered(rules),
    )
}

fn windows() -> ManagedRuleGroup {
    // As for POSIX shells: commands that are also words (`type`, `dir`, `copy`, `del`, `ping`)
    // count after a separator only with an operand that looks like one.
    let shell = r"(?:(?:[;&|]|\|\||&&)\s*(?:(?:cmd(?:\.exe)?|powershell(?:\.exe)?|nslookup|whoami|ipconfig|systeminfo|tasklist|taskkill|certutil|bitsadmin|wmic|rundll32|regsvr32|mshta|cscript|wscript|schtasks)\b|net(?:\.exe)?\s+(?:user|localgroup|view|share)\b|reg(?:\.exe)?\s+(?:query|add|delete)\b|sc\s+(?:query|create|start)\b|(?:type|dir|copy|del|ping|echo)\s+(?:[/\\%.\x22']|[a-z]:|-\w))|\bcmd(?:\.exe)?\s*/[ckr]\b|%(?:comspec|systemroot|windir|userprofile|temp)%|\bc:\\windows\\)";
    let powershell = r"(?:\binvoke-(?:expression|webrequest|command|restmethod|item|shellcode|mimikatz)\b|\biex\s*\(|\bnew-object\s+(?:net\.webclient|system\.net\.|-comobject)|\.downloadstring\s*\(|\.downloadfile\s*\(|\bstart-process\b|\s-(?:encodedcommand|enc|e|ec)\s+[a-z0-9+/=]{16,}|\bset-executionpolicy\b|\bfrombase64string\b|\b-executionpolicy\s+bypass\b|\bget-(?:wmiobject|process|childitem|content)\b|\badd-mppreference\b)";
    let types = &[
        "URL_DECODE_UNI",
        "URL_DECODE_UNI",
        "HTML_ENTITY_DECODE",
        "CMD_LINE",
    ];
    let ps_types = DECODE;
    let rules = vec![
        rule(
            "WindowsShellCommands_COOKIE",
            "WindowsShellCommands_Cookie",
            regex(cookie_values(), DECODE, shell),
        ),
        rule(
            "WindowsShellCommands_QUERYARGUMENTS",
            "WindowsShellCommands_QueryArguments",
            regex(query_arguments(), DECODE, shell),
        ),
        rule(
            "WindowsShellCommands_BODY",
            "WindowsShellCommands_Body",
            regex(body(), DECODE, shell),
        ),
        rule(
            "PowerShellCommands_COOKIE",
            "PowerShellCommands_Cookie",
            regex(cookie_values(), ps_types, powershell),
        ),
        rule(
            "PowerShellCommands_QUERYARGUMENTS",
            "PowerShellCommands_QueryArguments",
            or(vec![
                regex(query_arguments(), ps_types, powershell),
                regex(query_arguments(), types, r"\bpowershell(?:\.exe)?\s*-"),
            ]),
        ),
        rule(
            "PowerShellCommands_BODY",
            "PowerShellCommands_Body",
            regex(body(), ps_types, powershell),
        ),
    ];
    build(
        "AWSManagedRulesWindowsRuleSet",
        "Contains rules that block request patterns associated with exploiting vulnerabilities specific to Windows, (e.g., PowerShell commands). This can help prevent exploits that allow attacker to run unauthorized commands or execute malicious code.",
        200,
        "awswaf:managed:aws:windows-os:",
        &[("Version_1.0", PUBLISHED)],
        &[],
        ordered(rules),
    )
}

fn php() -> ManagedRuleGroup {
    let php = r"(?:\b(?:fsockopen|pfsockopen|shell_exec|passthru|proc_open|popen|pcntl_exec|assert|eval|system|exec|base64_decode|gzinflate|gzuncompress|str_rot13|create_function|call_user_func(?:_array)?|preg_replace|file_put_contents|file_get_contents|fopen|readfile|phpinfo|show_source|highlight_file|move_uploaded_file|unserialize|putenv|ini_set|include|include_once|require|require_once)\s*\(|\$_(?:get|post|request|cookie|server|files|env|session)\b|\$globals\b|php://(?:input|filter|fd|memory|temp)|(?:zip|phar|expect|data)://|<\?php)";
    let rules = vec![
        rule(
            "PHPHighRiskMethodsVariables_HEADER",
            "PHPHighRiskMethodsVariables_Header",
            regex(headers(), DECODE, php),
        ),
        rule(
            "PHPHighRiskMethodsVariables_QUERYSTRING",
            "PHPHighRiskMethodsVariables_QueryString",
            regex(query_string(), DECODE, php),
        ),
        rule(
            "PHPHighRiskMethodsVariables_BODY",
            "PHPHighRiskMethodsVariables_Body",
            regex(body(), DECODE, php),
        ),
    ];
    build(
        "AWSManagedRulesPHPRuleSet",
        "Contains rules that block request patterns associated with exploiting vulnerabilities specific to the use of the PHP, including injection of unsafe PHP functions. This can help prevent exploits that allow an attacker to remotely execute code or commands.",
        100,
        "awswaf:managed:aws:php-app:",
        &[("Version_1.0", PUBLISHED)],
        &[],
        ordered(rules),
    )
}

fn wordpress() -> ManagedRuleGroup {
    let commands = r"(?:\bdo-reset-wordpress\b|\baction=(?:revslider_show_image|revslider_ajax_action|duplicator_download|wpgdprc_process_action|wp_ajax_try_2020|kiwi_social_share_set_option|ae-sync-user|upload_file)\b|\bwp_ajax_nopriv_\w+|\bwpcf7-f\d+-p\d+-o1\b.*\.php)";
    let paths = r"(?:/xmlrpc\.php|/wp-config\.php|/wp-content/debug\.log|/wp-admin/install\.php|/wp-admin/setup-config\.php|/wp-content/plugins/[^/]+/(?:readme\.txt|.*\.(?:sql|bak|log))|/wp-includes/.*\.php\.)";
    let rules = vec![
        rule(
            "WordPressExploitableCommands_QUERYSTRING",
            "WordPressExploitableCommands_QUERYSTRING",
            regex(query_string(), DECODE, commands),
        ),
        rule(
            "WordPressExploitablePaths_URIPATH",
            "WordPressExploitablePaths_URIPATH",
            regex(uri_path(), DECODE, paths),
        ),
    ];
    build(
        "AWSManagedRulesWordPressRuleSet",
        "The WordPress Applications group contains rules that block request patterns associated with the exploitation of vulnerabilities specific to WordPress sites.",
        100,
        "awswaf:managed:aws:wordpress-app:",
        &[("Version_1.0", PUBLISHED)],
        &[],
        ordered(rules),
    )
}

fn amazon_ip_reputation() -> ManagedRuleGroup {
    let rules = vec![
        rule(
            "AWSManagedIPReputationList",
            "AWSManagedIPReputationList",
            ip_list("AWSManagedIPReputationList"),
        ),
        rule(
            "AWSManagedReconnaissanceList",
            "AWSManagedReconnaissanceList",
            ip_list("AWSManagedReconnaissanceList"),
        ),
        rule_with_action(
            "AWSManagedIPDDoSList",
            "AWSManagedIPDDoSList",
            ip_list("AWSManagedIPDDoSList"),
            "Count",
        ),
    ];
    build(
        "AWSManagedRulesAmazonIpReputationList",
        "This group contains rules that are based on Amazon threat intelligence. This is useful if you would like to block sources associated with bots or other threats.",
        25,
        "awswaf:managed:aws:amazon-ip-list:",
        &[],
        &[],
        ordered(rules),
    )
}

fn anonymous_ip() -> ManagedRuleGroup {
    let rules = vec![
        rule(
            "AnonymousIPList",
            "AnonymousIPList",
            ip_list("AnonymousIPList"),
        ),
        rule(
            "HostingProviderIPList",
            "HostingProviderIPList",
            ip_list("HostingProviderIPList"),
        ),
    ];
    build(
        "AWSManagedRulesAnonymousIpList",
        "This group contains rules that allow you to block requests from services that allow obfuscation of viewer identity. This can include request originating from VPN, proxies, Tor nodes, and hosting providers. This is useful if you want to filter out viewers that may be trying to hide their identity from your application.",
        50,
        "awswaf:managed:aws:anonymous-ip-list:",
        &[],
        &[],
        ordered(rules),
    )
}

fn bot_control() -> ManagedRuleGroup {
    let mut rules: Vec<Value> = Category::ALL
        .iter()
        .map(|c| {
            rule(
                c.rule_name(),
                &format!("bot:category:{}", c.label()),
                native(&format!("BotCategory:{}", c.label())),
            )
        })
        .collect();
    rules.push(rule(
        "SignalAutomatedBrowser",
        "signal:automated_browser",
        native("AutomatedBrowser"),
    ));
    rules.push(rule(
        "SignalKnownBotDataCenter",
        "signal:known_bot_data_center",
        ip_list("KnownBotDataCenter"),
    ));
    rules.push(rule(
        "SignalNonBrowserUserAgent",
        "signal:non_browser_user_agent",
        native("NonBrowserUserAgent"),
    ));
    let mut extra: Vec<String> = super::bots::BOTS
        .iter()
        .map(|(_, name, _)| format!("bot:name:{name}"))
        .collect();
    extra.push("bot:verified".into());
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    build(
        "AWSManagedRulesBotControlRuleSet",
        "Provides protection against automated bots that can consume excess resources, skew business metrics, cause downtime, or perform malicious activities. Bot Control provides additional visibility through Amazon CloudWatch and generates labels that you can use to control bot traffic to your applications.",
        50,
        "awswaf:managed:aws:bot-control:",
        &[],
        &extra,
        ordered(rules),
    )
}
