//! `mock-provider`: the `/api/v2` calendar provider for the demo and the end-to-end tests.

use mock_provider::provider::Provider;
use mock_provider::scenario::{Scenario, NAMES};
use mock_provider::serve;
use std::net::TcpListener;
use std::process::ExitCode;
use std::sync::Arc;

const HELP: &str = "mock-provider: the /api/v2 calendar provider of the raptor-secondary demo

usage: mock-provider [--port N] [--host ADDR] [--scenario NAME] [--quiet]

  --port N          port to listen on (default 8081; 0 picks a free one)
  --host ADDR       address to bind (default 127.0.0.1)
  --scenario NAME   starting scenario (default immediate): NAMES
  --quiet           do not print one line per request

Switch scenarios at run time with POST /__admin/scenario {\"scenario\": \"fail_once\"} or a
per-request X-Mock-Scenario header; GET /__admin/stats reports counters (calls per endpoint,
appointments created per key, duplicates); POST /__admin/reset forgets everything.";

fn main() -> ExitCode {
    let mut port = "8081".to_owned();
    let mut host = "127.0.0.1".to_owned();
    let mut scenario = Scenario::Immediate;
    let mut log = true;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        let result = match arg.as_str() {
            "-h" | "--help" => {
                println!("{}", HELP.replace("NAMES", NAMES));
                return ExitCode::SUCCESS;
            }
            "--port" => value("--port").map(|v| port = v),
            "--host" => value("--host").map(|v| host = v),
            "--scenario" => value("--scenario").and_then(|v| {
                Scenario::parse(&v)
                    .map(|s| scenario = s)
                    .ok_or(format!("unknown scenario '{v}'; known: {NAMES}"))
            }),
            "--quiet" => {
                log = false;
                Ok(())
            }
            other => Err(format!("unknown argument '{other}' (see --help)")),
        };
        if let Err(message) = result {
            eprintln!("mock-provider: {message}");
            return ExitCode::from(2);
        }
    }
    let listener = match TcpListener::bind(format!("{host}:{port}")) {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            eprintln!("mock-provider: port {port} on {host} is in use; pass another with --port N");
            return ExitCode::from(1);
        }
        Err(e) => {
            eprintln!("mock-provider: cannot listen on {host}:{port}: {e}");
            return ExitCode::from(1);
        }
    };
    let address = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    println!(
        "mock-provider: listening on http://{address}/api/v2 (scenario {})",
        scenario.name()
    );
    let server = match tiny_http::Server::from_listener(listener, None) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("mock-provider: cannot serve on {address}: {e}");
            return ExitCode::from(1);
        }
    };
    serve(server, Arc::new(Provider::new(scenario)), log);
    ExitCode::SUCCESS
}
