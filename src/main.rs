use clap::Parser;
use tracing_subscriber::EnvFilter;

/// mimalloc returns memory to the system after a burst of large answers: with glibc's per-thread
/// arenas the server kept most of a gigabyte after a load test at province scale (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Database work runs on the blocking pool and waits there for one of 8 pooled connections; tokio's
/// default of 512 threads would only add waiting threads, each with its own allocator cache.
const BLOCKING_THREADS: usize = 16;

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .init();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(BLOCKING_THREADS)
        .build()?
        .block_on(zhibiao::cli::run(zhibiao::cli::Cli::parse()))
}
