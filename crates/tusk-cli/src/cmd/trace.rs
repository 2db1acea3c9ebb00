//! `tusk trace PATH... --from A --to B [--port N] [--proto tcp|udp|icmp|esp|ah|any]
//! [-o txt|json] [--file PATH]`: one flow through the Azure network, hop by hop,
//! and its reply. `--from` / `--to` take the notation of
//! `docs/endpoints.md`; an end that stands for several addresses (a
//! subnet, a VM with several NICs, a CIDR) is traced for every member pair
//! and answered with the group verdict. Exit 0 whatever the verdict (the
//! verdict is data); 2 on bad input, including an endpoint that names
//! nothing or several things.
//!
//! When an end is a pod, a workload or a node (`node:NAME`, a node or a
//! pool) and the inputs hold the AKS cluster, the flow crosses both layers
//! (`tusk_path::join`: egress policy → node exit and SNAT → Azure network →
//! ingress policy), for `--actor pod` (default) or `--actor node` (an
//! escaped container: the node's address, no pod policy at the source);
//! JSON `tusk.path/v1` (`tusk_report::path`).

use super::flow::FlowArgs;
use crate::output::{OutputArgs, TxtOrJson};
use std::path::PathBuf;
use std::process::ExitCode;
use tusk_network::endpoint::resolve_group;
use tusk_network::{group_trace, trace, Flow, Prepared};

#[derive(clap::Args)]
pub struct Args {
    /// Input files or folders (ARM/REST JSON, `az` output, ARM templates;
    /// with a managed cluster, its Kubernetes manifests too).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub flow: FlowArgs,
    /// The name the client uses (TLS SNI / HTTP Host), for Azure Firewall
    /// application rules and network rules on FQDNs.
    #[arg(long)]
    pub fqdn: Option<String>,
    /// Who sends the flow when `--from` is a pod or node: `pod` (the
    /// workload's container, its egress policy applies) or `node` (an
    /// escaped container: the node's address, no pod policy at the source).
    #[arg(long, value_enum, default_value = "pod")]
    pub actor: ActorArg,
    /// The network policy engine (default: the AKS cluster's `networkPolicy`).
    #[arg(long, value_enum)]
    pub policy_engine: Option<super::EngineArg>,
    #[command(flatten)]
    pub output: OutputArgs<TxtOrJson>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ActorArg {
    Pod,
    Node,
}

/// Does an end name a Kubernetes object (pod, workload, node, or a bare
/// `NS/NAME` that the cluster holds)? Then the flow crosses both layers.
fn names_cluster(loaded: &tusk_load::Loaded, end: &tusk_core::FlowEnd) -> bool {
    use tusk_core::FlowEnd as F;
    match end {
        F::Pod { .. } | F::Workload { .. } | F::Node(_) | F::Service { .. } | F::Ingress { .. } => true,
        F::Qualified { .. } => tusk_policy::endpoint::resolve(&loaded.estate.k8s, end).is_ok(),
        // A LoadBalancer Service's frontend address.
        F::Address(ip) => loaded.estate.k8s.services.iter().any(|s| s.load_balancer_ips.contains(ip)),
        _ => false,
    }
}

/// The flow across both layers (`tusk_path::join`).
fn run_joined(a: &Args, loaded: &mut tusk_load::Loaded) -> anyhow::Result<ExitCode> {
    use tusk_path::join::{self, Actor, Ask};
    let (sem, _why) = super::choose_semantics(a.policy_engine, &loaded.estate);
    for n in tusk_policy::foreign::not_enforced(&loaded.estate.k8s, &sem) {
        eprintln!("{}", tusk_report::k8s::note(&n));
    }
    // The wiring also gives each pod without an address its pool's range,
    // which the policy explanations read (as the matrix's engine does).
    let w = join::wire(&mut loaded.estate);
    let estate = &loaded.estate;
    let p = Prepared::new(&w.net, &estate.config);
    let from = join::resolve(estate, &w, &p, &a.flow.from)
        .map_err(|e| anyhow::anyhow!("--from: {}", tusk_report::path_errors::end_error(&e)))?;
    let actor = match a.actor {
        ActorArg::Pod => Actor::Pod,
        ActorArg::Node => Actor::Node,
    };
    let http = a.flow.http.request();
    let protos = a.flow.conn.protocols();
    let mut per = Vec::new();
    let mut skipped = Vec::new();
    for &proto in &protos {
        let service = match join::resolve_service(estate, &w, &a.flow.to, proto, a.flow.conn.port) {
            Ok(s) => s,
            // `--proto any`: a Service without a port of this protocol does
            // not take it; one protocol asked is an error as before.
            Err(e) if protos.len() > 1 => {
                skipped.push((proto, e));
                continue;
            }
            Err(e) => anyhow::bail!("--to: {}", tusk_report::path_errors::service_error(&e)),
        };
        let ingress = tusk_path::ingress::resolve_ingress(estate, &w, &a.flow.to, a.flow.conn.port)
            .map_err(|e| anyhow::anyhow!("--to: {}", tusk_report::path_errors::ingress_error(&e)))?;
        let to = match service.or(ingress) {
            Some(s) => s,
            None => join::resolve(estate, &w, &p, &a.flow.to)
                .map_err(|e| anyhow::anyhow!("--to: {}", tusk_report::path_errors::end_error(&e)))?,
        };
        let pairs = from.members.len() * to.members.len().max(to.lb.as_ref().map_or(0, |l| l.entries.len()));
        if pairs > join::MAX_PAIRS {
            anyhow::bail!(
                "`{}` → `{}` stands for {pairs} (source, destination) pairs, more than {}: name a pod, a node or an address",
                from.name,
                to.name,
                join::MAX_PAIRS
            );
        }
        let g = join::trace(
            estate,
            &w,
            &p,
            &from,
            &to,
            Ask { sem: &sem, actor, proto, port: a.flow.conn.port, http: http.as_ref(), fqdn: a.fqdn.as_deref() },
        );
        per.push((proto, g));
    }
    if per.is_empty() {
        let why: Vec<String> = skipped.iter().map(|(_, e)| tusk_report::path_errors::service_error(e)).collect();
        anyhow::bail!("--to: {}", why.join("; "));
    }
    if protos.len() == 1 {
        let g = &per[0].1;
        match a.output.format {
            TxtOrJson::Txt => a.output.write_text(&tusk_report::path::render_text(&p, g))?,
            TxtOrJson::Json => a.output.write_text(&tusk_report::path::render_json(&p, g))?,
        }
        return Ok(ExitCode::SUCCESS);
    }
    let any = tusk_path::any_protocol::combine(per, skipped);
    match a.output.format {
        TxtOrJson::Txt => a.output.write_text(&tusk_report::path::render_any_text(&p, &any))?,
        TxtOrJson::Json => a.output.write_text(&tusk_report::path::render_any_json(&p, &any))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `--to NAME` that names no resource: the address the private DNS zones
/// linked to the source's VNet give it (`tusk_network::dns`), with the
/// name. `None` when `--to` is not a dotted name; an error when the zones
/// leave its address unknown or the sources sit in several VNets.
fn by_private_dns(
    p: &Prepared,
    from: &tusk_network::endpoint::Group,
    to: &tusk_core::FlowEnd,
) -> anyhow::Result<Option<(tusk_network::endpoint::Group, String)>> {
    use tusk_network::dns::{resolve, DnsDoubt, Resolution};
    let tusk_core::FlowEnd::Name(name) = to else { return Ok(None) };
    if !name.contains('.') || p.net.private_dns.is_empty() {
        return Ok(None);
    }
    let idx = p.index();
    let mut vnets: Vec<_> = from
        .members
        .iter()
        .filter_map(|m| idx.subnets_holding(m.ip()).first().map(|&s| p.net.subnets[s].vnet))
        .collect();
    vnets.sort();
    vnets.dedup();
    let [vnet] = vnets[..] else {
        anyhow::bail!("--to {name}: the sources are not in one VNet of the inputs, so which private DNS zones answer is unknown; give --to ADDRESS and --fqdn {name}")
    };
    let vnet_name = p.net.vnets[vnet].id.name();
    match resolve(p, Some(vnet), name) {
        Resolution::Addresses { record, ips, via } => {
            let r = &p.net.private_dns.a_records[record];
            let [ip] = ips[..] else {
                anyhow::bail!("--to {name}: its A record set ({}) gives {} addresses; give --to one of them and --fqdn {name}", r.loc, ips.len())
            };
            let g = resolve_group(p, &tusk_core::FlowEnd::Address(ip)).map_err(|e| anyhow::anyhow!("--to: {e}"))?;
            for alias in &via {
                eprintln!("tusk: {name}: {}", alias_words(p, alias));
            }
            eprintln!("tusk: {name} resolves to {ip} from VNet {vnet_name} (private DNS zone {}, A record {} at {})", r.zone, r.name, r.loc);
            Ok(Some((g, name.clone())))
        }
        Resolution::NotInZones => anyhow::bail!("--to {name}: no private DNS zone linked to VNet {vnet_name} covers it, and public DNS is not in the inputs; give --to ADDRESS and --fqdn {name}"),
        Resolution::Unknown(d) => {
            let why = match d {
                DnsDoubt::Forwarding(i) => format!("{} ({}) may forward it elsewhere", p.net.unmodelled[i].kind.name(), p.net.unmodelled[i].loc),
                DnsDoubt::NoRecord { zone } => format!("zone {zone} is linked to VNet {vnet_name} but the inputs hold no A record for it"),
                DnsDoubt::RecordIncomplete(i) => format!("its A record set ({}) has addresses that are not known", p.net.private_dns.a_records[i].loc),
                DnsDoubt::Resolver => "a zone link's VNet is not known".to_string(),
                DnsDoubt::CnameUnknown(i) => format!("its CNAME record set ({}) has a target that is not known", p.net.private_dns.cname_records[i].loc),
                DnsDoubt::LeavesZones { name: n } => format!("its alias chain reaches {n}, which no zone linked to VNet {vnet_name} covers (public DNS answers it; not in the inputs)"),
                DnsDoubt::ChainTooLong { name: n } => format!("its alias chain is longer than {} (or loops), at {n}", tusk_network::dns::MAX_CHAIN),
            };
            anyhow::bail!("--to {name}: its address is unknown: {why}")
        }
    }
}

/// One alias of a private DNS resolution, in words.
fn alias_words(p: &Prepared, a: &tusk_network::dns::Alias) -> String {
    use tusk_network::dns::Alias;
    match a {
        Alias::PrivateLink { from, to } => {
            format!("{from} is a CNAME to {to} (Azure's public CNAME into the private link zone, private-link/private-endpoint-dns)")
        }
        Alias::Record(i) => {
            let r = &p.net.private_dns.cname_records[*i];
            let target = r.target.as_deref().unwrap_or("?");
            format!("{}.{} is a CNAME to {target} (CNAME record at {})", r.name, r.zone, r.loc)
        }
    }
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let mut loaded = super::load_for(&a.paths, &a.output)?;
    super::need_subnets(&loaded, "trace")?;
    // Without a managed cluster in the inputs, a Kubernetes end stays the
    // Azure resolver's usage error ("names a Kubernetes object").
    let joined = names_cluster(&loaded, &a.flow.from) || names_cluster(&loaded, &a.flow.to);
    if joined && !loaded.estate.clusters.is_empty() {
        return run_joined(&a, &mut loaded);
    }
    let p = Prepared::new(&loaded.estate.azure, &loaded.estate.config);
    let from = resolve_group(&p, &a.flow.from).map_err(|e| anyhow::anyhow!("--from: {e}"))?;
    let (to, named) = match resolve_group(&p, &a.flow.to) {
        Ok(g) => (g, None),
        Err(e) => match by_private_dns(&p, &from, &a.flow.to)? {
            Some((g, name)) => (g, Some(name)),
            None => anyhow::bail!("--to: {e}"),
        },
    };
    // `--to NAME` resolved through private DNS: the client uses that name.
    let fqdn = a.fqdn.clone().or(named);
    let http_path = a.flow.http.http_path.as_deref();
    if let Some(path) = http_path.filter(|x| !x.starts_with('/')) {
        anyhow::bail!("--http-path {path}: a URL path starts with `/`");
    }
    let req = |name| trace::Request { name, http_path };
    let protos = a.flow.conn.protocols();
    let port = a.flow.conn.port;
    let single = from.members.len() == 1 && to.members.len() == 1;
    if single && protos.len() > 1 {
        let (f, t) = (&from.members[0], &to.members[0]);
        let traces: Vec<trace::Trace> = protos
            .into_iter()
            .map(|proto| {
                trace::trace_request(&p, f, t, Flow { src: f.ip(), dst: t.ip(), proto, port }, req(fqdn.as_deref()))
            })
            .collect();
        let samples = [&from, &to].iter().filter_map(|g| g.sample.map(|s| (g.name.clone(), s))).collect::<Vec<_>>();
        let notes: String = samples
            .iter()
            .map(|(e, s)| format!("sample: {}\n", tusk_report::azure::trace_group::sample_note(e, *s)))
            .collect();
        use tusk_report::azure::trace_json;
        match a.output.format {
            TxtOrJson::Txt => a.output.write_text(
                &(notes
                    + &traces
                        .iter()
                        .map(|t| tusk_report::azure::trace_text::render(&p, t))
                        .collect::<Vec<_>>()
                        .join("\n")),
            )?,
            TxtOrJson::Json => {
                // The engine decides what "some protocol" answers; the reporter words it.
                let any = tusk_network::any_protocol::any_protocol(&traces);
                a.output.write(|w| trace_json::write_any(w, &p, &any, &traces))?
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let proto = a.flow.conn.protocol("trace between groups")?;
    let g = group_trace::trace_group(&p, &from, &to, proto, port, req(fqdn.as_deref()));
    if g.traces.is_empty() {
        anyhow::bail!("--from and --to name the same single address");
    }
    match a.output.format {
        TxtOrJson::Txt => a.output.write_text(&tusk_report::azure::trace_group::render_text(&p, &g))?,
        TxtOrJson::Json => a.output.write_text(&tusk_report::azure::trace_group::render_json(&p, &g))?,
    }
    Ok(ExitCode::SUCCESS)
}
