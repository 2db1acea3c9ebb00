//! The flow options `trace` and `explain` share (`--from`, `--to`,
//! `--proto`, `--port`), and the protocol / port part that `reach` shares.
//! Endpoints are parsed here, once, by `tusk_core::FlowEnd::parse`, so a
//! malformed value is a usage error (exit 2) before anything is loaded;
//! what a name stands for is decided by each engine's resolver.

use tusk_core::{FlowEnd, Protocol};

/// `--from` / `--to` in the notation of `docs/endpoints.md`, plus the
/// connection.
#[derive(clap::Args, Debug, Clone)]
pub struct FlowArgs {
    /// Source: an IP or CIDR, a resource name, `subnet:VNET/SUBNET`,
    /// `internet[:IP]`, `onprem[:IP]`, `pod:NS/NAME`, `workload:NS/NAME`,
    /// `NS/NAME` or (trace, with an AKS cluster) `node:NAME` (see docs/endpoints.md).
    #[arg(long, value_parser = parse_end)]
    pub from: FlowEnd,
    /// Destination, in the same notation as --from.
    #[arg(long, value_parser = parse_end)]
    pub to: FlowEnd,
    #[command(flatten)]
    pub conn: ConnArgs,
    #[command(flatten)]
    pub http: HttpArgs,
}

/// `--http-method` and `--http-path`: the flow's HTTP request, which
/// Istio's L7 rules (`methods`, `paths`) test, and whose path an Azure
/// application gateway's URL path map reads (`trace`). Without them such
/// a rule's match, or such a map's choice, is unknown.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct HttpArgs {
    /// HTTP method of the request (GET, POST, ...; case-sensitive, as Istio matches it).
    #[arg(long)]
    pub http_method: Option<String>,
    /// HTTP request path (`/api/items`).
    #[arg(long)]
    pub http_path: Option<String>,
}

impl HttpArgs {
    /// The request, when either part is given.
    pub fn request(&self) -> Option<tusk_policy::lang::istio::HttpRequest> {
        (self.http_method.is_some() || self.http_path.is_some()).then(|| tusk_policy::lang::istio::HttpRequest {
            method: self.http_method.clone(),
            path: self.http_path.clone(),
        })
    }
}

/// `--proto` and `--port`.
#[derive(clap::Args, Debug, Clone)]
pub struct ConnArgs {
    /// Protocol. `any` (trace only) asks TCP, UDP and ICMP in turn.
    #[arg(long, value_enum, default_value = "tcp")]
    pub proto: ProtoArg,
    /// Destination port, 1–65535 (omitted: every port at once, so
    /// port-specific rules make an answer unknown or per-port).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProtoArg {
    Tcp,
    Udp,
    Sctp,
    Icmp,
    Esp,
    Ah,
    Any,
}

impl ConnArgs {
    /// The protocols asked: one, or TCP, UDP and ICMP for `any`.
    pub fn protocols(&self) -> Vec<Protocol> {
        match self.proto {
            ProtoArg::Tcp => vec![Protocol::Tcp],
            ProtoArg::Udp => vec![Protocol::Udp],
            ProtoArg::Sctp => vec![Protocol::Sctp],
            ProtoArg::Icmp => vec![Protocol::Icmp],
            ProtoArg::Esp => vec![Protocol::Esp],
            ProtoArg::Ah => vec![Protocol::Ah],
            ProtoArg::Any => vec![Protocol::Tcp, Protocol::Udp, Protocol::Icmp],
        }
    }

    /// The one protocol asked, for commands that take no `any`.
    pub fn protocol(&self, command: &str) -> anyhow::Result<Protocol> {
        match self.protocols().as_slice() {
            [p] => Ok(*p),
            _ => anyhow::bail!("--proto any: `{command}` answers one protocol at a time; name it"),
        }
    }
}

fn parse_end(s: &str) -> Result<FlowEnd, String> {
    FlowEnd::parse(s).map_err(|e| e.to_string())
}
