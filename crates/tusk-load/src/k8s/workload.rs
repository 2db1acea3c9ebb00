//! Pods and every workload kind with a pod template. A controller becomes
//! one pod entry standing for its `replicas` (a DaemonSet one per known
//! node, at least one; see `tusk_model::k8s::Replicas`); a bare pod
//! belongs to the controller named by its owner reference, so that a
//! `kubectl get pods` export groups like the manifests it came from.

use super::fields::Cx;
use super::selector::labels;
use crate::doc::Node;
use std::net::IpAddr;
use tusk_core::{LoadError, Protocol, Warning};
use tusk_model::k8s::{ContainerPort, Labels, WorkloadKind};

/// What a pod template (or a pod) says about the pods it makes.
#[derive(Debug, Clone)]
pub struct PodShape {
    pub labels: Labels,
    pub host_network: bool,
    pub node_name: Option<String>,
    pub ports: Vec<ContainerPort>,
    pub ips: Vec<IpAddr>,
    pub host_ip: Option<IpAddr>,
    pub scheduling: tusk_model::scheduling::PodScheduling,
    /// Settings that weaken the container boundary (for `tusk audit`).
    pub escape: Vec<tusk_model::k8s::EscapeRisk>,
    /// What the pod's manifest says about its Istio mesh membership.
    pub mesh: super::istio::PodHint,
}

/// Reads `metadata` + `spec` of a pod or pod template.
pub fn pod_shape(
    cx: Cx,
    meta: Option<&Node>,
    spec: Option<&Node>,
    status: Option<&Node>,
    warnings: &mut Vec<Warning>,
) -> Result<PodShape, LoadError> {
    let labels = match meta {
        Some(m) => labels(cx, m, "labels")?,
        None => Labels::new(),
    };
    let mut shape = PodShape {
        labels,
        host_network: false,
        node_name: None,
        ports: Vec::new(),
        ips: Vec::new(),
        host_ip: None,
        scheduling: Default::default(),
        escape: Vec::new(),
        mesh: super::istio::pod_hint(cx, meta, spec, status.is_some())?,
    };
    if let Some(spec) = spec {
        shape.scheduling = super::scheduling::pod_scheduling(cx, spec)?;
        shape.host_network = cx.opt_bool(spec, "hostNetwork")?.unwrap_or(false);
        shape.node_name = cx.opt_str(spec, "nodeName")?.map(str::to_string);
        shape.escape = escape_risks(cx, spec)?;
        for key in ["initContainers", "containers"] {
            for c in cx.seq(spec, key)? {
                for p in cx.seq(c, "ports")? {
                    if p.get("containerPort").is_none() {
                        warnings.push(Warning {
                            loc: cx.loc(p),
                            message: "container port without `containerPort` ignored".into(),
                        });
                        continue;
                    }
                    shape.ports.push(container_port(cx, p)?);
                }
            }
        }
    }
    if let Some(st) = status {
        let mut ips: Vec<&str> = cx.seq(st, "podIPs")?.iter().filter_map(|e| e.get("ip")?.as_str()).collect();
        if ips.is_empty() {
            ips.extend(cx.opt_str(st, "podIP")?);
        }
        for s in ips {
            let ip: IpAddr = s.parse().map_err(|_| cx.err(st, format!("`{s}` is not an IP address (status.podIP)")))?;
            if !shape.ips.contains(&ip) {
                shape.ips.push(ip);
            }
        }
        if let Some(h) = cx.opt_str(st, "hostIP")? {
            let ip = h.parse().map_err(|_| cx.err(st, format!("`{h}` is not an IP address (status.hostIP)")))?;
            shape.host_ip = Some(ip);
        }
    }
    Ok(shape)
}

/// The pod spec's settings that make a container escape easy (Kubernetes
/// "Pod Security Standards", baseline and restricted profiles): host
/// namespaces, privileged containers, privilege escalation, added
/// capabilities, running as root (UID 0). Only what is written is read;
/// an unset `runAsUser` (the image's user) is not assumed to be root.
fn escape_risks(cx: Cx, spec: &Node) -> Result<Vec<tusk_model::k8s::EscapeRisk>, LoadError> {
    use tusk_model::k8s::{EscapeRisk, EscapeSetting as S, HostNamespace};
    let mut out = Vec::new();
    let mut risk = |n: &Node, setting: S| out.push(EscapeRisk { setting, loc: cx.loc(n) });
    for ns in [HostNamespace::Network, HostNamespace::Pid, HostNamespace::Ipc] {
        if cx.opt_bool(spec, ns.field())? == Some(true) {
            risk(spec.get(ns.field()).unwrap_or(spec), S::HostNamespace(ns));
        }
    }
    if let Some(sc) = spec.get("securityContext") {
        if cx.opt_int(sc, "runAsUser")? == Some(0) {
            risk(sc.get("runAsUser").unwrap_or(sc), S::RootPod);
        }
    }
    for key in ["initContainers", "containers", "ephemeralContainers"] {
        for c in cx.seq(spec, key)? {
            let Some(sc) = c.get("securityContext") else { continue };
            let container = cx.opt_str(c, "name")?.map(str::to_string);
            if cx.opt_bool(sc, "privileged")? == Some(true) {
                risk(sc.get("privileged").unwrap_or(sc), S::Privileged { container: container.clone() });
            }
            if cx.opt_bool(sc, "allowPrivilegeEscalation")? == Some(true) {
                let at = sc.get("allowPrivilegeEscalation").unwrap_or(sc);
                risk(at, S::AllowPrivilegeEscalation { container: container.clone() });
            }
            if cx.opt_int(sc, "runAsUser")? == Some(0) {
                risk(sc.get("runAsUser").unwrap_or(sc), S::RootContainer { container: container.clone() });
            }
            if let Some(caps) = sc.get("capabilities") {
                let capabilities: Vec<String> =
                    cx.seq(caps, "add")?.iter().filter_map(|a| a.as_str()).map(str::to_string).collect();
                if !capabilities.is_empty() {
                    risk(caps.get("add").unwrap_or(caps), S::AddedCapabilities { container, capabilities });
                }
            }
        }
    }
    Ok(out)
}

fn container_port(cx: Cx, p: &Node) -> Result<ContainerPort, LoadError> {
    let port_node = p.get("containerPort").ok_or_else(|| cx.err(p, "container port needs `containerPort`"))?;
    let port = super::ports::port_number(cx, port_node, "containerPort")?;
    let name = cx.opt_str(p, "name")?;
    if let Some(n) = name {
        if !super::ports::is_port_name(n) {
            return Err(cx.err(p, format!("invalid container port name `{n}`")));
        }
    }
    let protocol = match cx.opt_str(p, "protocol")? {
        None | Some("TCP") => Protocol::Tcp,
        Some("UDP") => Protocol::Udp,
        Some("SCTP") => Protocol::Sctp,
        Some(other) => return Err(cx.err(p, format!("invalid protocol `{other}`: expected TCP, UDP or SCTP"))),
    };
    Ok(ContainerPort { name: name.map(str::to_string), port, protocol })
}

/// The pod template and replica count of a controller kind.
pub fn template<'n>(cx: Cx, kind: WorkloadKind, spec: &'n Node) -> Result<(Option<&'n Node>, u32), LoadError> {
    let count = |key: &str| -> Result<u32, LoadError> {
        match cx.opt_int(spec, key)? {
            None => Ok(1),
            // An int32 the API server's validation requires non-negative;
            // the replicas stay one pod entry, so any such count is cheap.
            Some(n) if (0..=i64::from(i32::MAX)).contains(&n) => Ok(n as u32),
            Some(n) => Err(cx.err(
                spec.get(key).unwrap_or(spec),
                format!("`{key}` {n} out of range 0–{} (a non-negative int32)", i32::MAX),
            )),
        }
    };
    Ok(match kind {
        WorkloadKind::CronJob => {
            let job = spec.get("jobTemplate").and_then(|j| j.get("spec"));
            (job.and_then(|j| j.get("template")), 1)
        }
        WorkloadKind::Job => (spec.get("template"), count("parallelism")?),
        WorkloadKind::DaemonSet => (spec.get("template"), 1),
        _ => (spec.get("template"), count("replicas")?),
    })
}

/// The controller that owns a pod: the owner reference marked `controller`,
/// else the first one.
pub fn owner(cx: Cx, meta: &Node) -> Result<Option<(WorkloadKind, String)>, LoadError> {
    let refs = cx.seq(meta, "ownerReferences")?;
    let pick = refs.iter().find(|r| r.get("controller").and_then(Node::as_bool) == Some(true)).or(refs.first());
    let Some(r) = pick else { return Ok(None) };
    let name = cx.req_str(r, "name")?;
    // An owner reference without a kind still names the group the pod
    // belongs to; netpol-analyzer shows such a group as a Pod.
    let kind = cx.opt_str(r, "kind")?.map_or(Some(WorkloadKind::Pod), WorkloadKind::parse);
    Ok(kind.map(|k| (k, name.to_string())))
}
