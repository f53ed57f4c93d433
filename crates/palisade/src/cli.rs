//! The command line. Every flag of `serve` can also be given as a `PALISADE_*` variable.

use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches, Command};

pub const DEFAULT_ACCOUNT: &str = "000000000000";

fn storage_args(command: Command) -> Command {
    command
        .arg(
            Arg::new("data-dir")
                .long("data-dir")
                .env("PALISADE_DATA_DIR")
                .value_name("DIR")
                .default_value(".palisade")
                .help("Where the embedded database and the root key live"),
        )
        .arg(
            Arg::new("database-url")
                .long("database-url")
                .env("PALISADE_DATABASE_URL")
                .value_name("URL")
                .help("Keep state in PostgreSQL (postgres://...) so several nodes serve one cloud"),
        )
        .arg(
            Arg::new("root-key-file")
                .long("root-key-file")
                .env("PALISADE_ROOT_KEY_FILE")
                .value_name("FILE")
                .help("The root key that seals secret material (created with mode 0600 if missing; default <data-dir>/root.key). PALISADE_ROOT_KEY may instead hold the key itself, base64"),
        )
}

pub fn command() -> Command {
    let serve = storage_args(Command::new("serve").about("Run the server"))
        .arg(Arg::new("host").long("host").env("PALISADE_HOST").default_value("127.0.0.1").help("Address to listen on"))
        .arg(
            Arg::new("port")
                .long("port")
                .env("PALISADE_PORT")
                .default_value("4566")
                .value_parser(clap::value_parser!(u16))
                .help("Port for the AWS APIs, plain HTTP and TLS alike"),
        )
        .arg(
            Arg::new("ephemeral")
                .long("ephemeral")
                .env("PALISADE_EPHEMERAL")
                .action(ArgAction::SetTrue)
                .help("Keep everything in memory; nothing survives the process"),
        )
        .arg(
            Arg::new("auth")
                .long("auth")
                .env("PALISADE_AUTH")
                .default_value("strict")
                .value_parser(["strict", "lenient"])
                .help("strict: unknown keys and bad signatures are refused. lenient: unknown keys act as the default account's root without a signature check"),
        )
        .arg(
            Arg::new("iam")
                .long("iam")
                .env("PALISADE_IAM")
                .default_value("enforce")
                .value_parser(["enforce", "audit", "off"])
                .help("enforce: policies decide every call. audit: allow, but record would-be denials. off: no policy checks"),
        )
        .arg(
            Arg::new("default-account")
                .long("default-account")
                .env("PALISADE_DEFAULT_ACCOUNT")
                .default_value(DEFAULT_ACCOUNT)
                .help("The account the access key 'test' is the root of"),
        )
        .arg(
            Arg::new("test-clock")
                .long("test-clock")
                .env("PALISADE_TEST_CLOCK")
                .action(ArgAction::SetTrue)
                .help("Let /_palisade/clock move the server clock (for tests)"),
        )
        .arg(
            Arg::new("lambda-python")
                .long("lambda-python")
                .env("PALISADE_LAMBDA_PYTHON")
                .default_value("python3")
                .help("The Python interpreter of python3.x functions; it must be able to import boto3"),
        )
        .arg(
            Arg::new("waf-ip-lists")
                .long("waf-ip-lists")
                .env("PALISADE_WAF_IP_LISTS")
                .value_name("DIR")
                .help("The address lists of the IP reputation, anonymous IP and Bot Control managed rule groups: <ListName>.txt files, one address or CIDR block a line"),
        )
        .arg(
            Arg::new("geoip-country-db")
                .long("geoip-country-db")
                .env("PALISADE_GEOIP_COUNTRY_DB")
                .value_name("FILE")
                .help("A MaxMind-format country database (GeoLite2-Country.mmdb) for WAF GeoMatch rules, geo labels and logs"),
        )
        .arg(
            Arg::new("geoip-asn-db")
                .long("geoip-asn-db")
                .env("PALISADE_GEOIP_ASN_DB")
                .value_name("FILE")
                .help("A MaxMind-format ASN database (GeoLite2-ASN.mmdb) for WAF AsnMatch rules"),
        )
        .arg(
            Arg::new("log-level")
                .long("log-level")
                .env("PALISADE_LOG_LEVEL")
                .default_value("info")
                .value_parser(["error", "warn", "info", "debug", "trace"])
                .help("Log verbosity"),
        );
    let ca = Command::new("ca")
        .about("The installation root CA")
        .subcommand_required(true)
        .subcommand(storage_args(Command::new("export").about("Print the root CA certificate (PEM) for clients to trust")));
    let status = Command::new("status").about("Ask a running server for its health").arg(
        Arg::new("endpoint")
            .long("endpoint")
            .env("AWS_ENDPOINT_URL")
            .default_value("http://127.0.0.1:4566")
            .help("The server to ask"),
    );
    Command::new("palisade")
        .version(env!("CARGO_PKG_VERSION"))
        .about("A self-hosted, AWS-compatible security and compliance cloud: point the aws CLI and SDKs at it with --endpoint-url")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(serve)
        .subcommand(ca)
        .subcommand(status)
}

/// Where state lives.
pub struct StorageOptions {
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub root_key_file: Option<PathBuf>,
    pub ephemeral: bool,
}

impl StorageOptions {
    pub fn from_matches(args: &ArgMatches) -> Self {
        StorageOptions {
            data_dir: PathBuf::from(args.get_one::<String>("data-dir").expect("has a default")),
            database_url: args.get_one::<String>("database-url").cloned(),
            root_key_file: args.get_one::<String>("root-key-file").map(PathBuf::from),
            ephemeral: args.try_get_one::<bool>("ephemeral").ok().flatten().copied().unwrap_or(false),
        }
    }
}

pub struct ServeOptions {
    pub storage: StorageOptions,
    pub host: String,
    pub port: u16,
    pub auth: String,
    pub iam: String,
    pub default_account: String,
    pub test_clock: bool,
    pub log_level: String,
    pub lambda_python: PathBuf,
    pub waf_ip_lists: Option<PathBuf>,
    pub geoip_country_db: Option<PathBuf>,
    pub geoip_asn_db: Option<PathBuf>,
}

impl ServeOptions {
    pub fn from_matches(args: &ArgMatches) -> Self {
        let text = |name: &str| args.get_one::<String>(name).expect("has a default").clone();
        ServeOptions {
            storage: StorageOptions::from_matches(args),
            host: text("host"),
            port: *args.get_one::<u16>("port").expect("has a default"),
            auth: text("auth"),
            iam: text("iam"),
            default_account: text("default-account"),
            test_clock: args.get_flag("test-clock"),
            log_level: text("log-level"),
            lambda_python: PathBuf::from(text("lambda-python")),
            waf_ip_lists: args.get_one::<String>("waf-ip-lists").map(PathBuf::from),
            geoip_country_db: args.get_one::<String>("geoip-country-db").map(PathBuf::from),
            geoip_asn_db: args.get_one::<String>("geoip-asn-db").map(PathBuf::from),
        }
    }
}
