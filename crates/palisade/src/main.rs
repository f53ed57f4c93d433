//! `palisade`: a self-hosted, AWS-compatible security and compliance cloud in one binary.

/// Many small, short-lived allocations per request, across threads: mimalloc serves them with
/// less contention and fragmentation than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod ca;
mod cli;
mod serve;
mod storage;
mod status;

fn main() {
    let matches = cli::command().get_matches();
    let result = match matches.subcommand() {
        Some(("serve", args)) => serve::run(cli::ServeOptions::from_matches(args)),
        Some(("ca", args)) => match args.subcommand() {
            Some(("export", args)) => ca::export(cli::StorageOptions::from_matches(args)),
            _ => unreachable!("clap requires a ca subcommand"),
        },
        Some(("status", args)) => status::run(args.get_one::<String>("endpoint").expect("has a default")),
        _ => unreachable!("clap requires a subcommand"),
    };
    if let Err(message) = result {
        eprintln!("palisade: {message}");
        std::process::exit(1);
    }
}
