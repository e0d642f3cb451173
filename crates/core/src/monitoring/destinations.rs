//! Where webhooks may go (issue 11, Medium 5): an allowlist kept by the
//! security admin, so a rule writer cannot turn the delivery log into a
//! request-forgery tool or a scanner of the internal network.
//!
//! Entries are host names (`hooks.example.gov.cn`), name suffixes
//! (`*.example.gov.cn`), addresses (`10.1.2.3`) or networks (`10.1.2.0/24`).
//! A destination passes when its host name is listed or every address it
//! resolves to is covered by a listed address or network. Internal addresses
//! — loopback, link-local, private, shared (CGNAT), unique-local, unspecified,
//! multicast — pass only when a listed address or network covers them, even
//! for a listed name: a listed name that starts resolving to 127.0.0.1 or to
//! the metadata address 169.254.169.254 is refused.

use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Entries at most (a policy, not a firewall).
pub const MAX_ENTRIES: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Host(String),
    /// `*.example.gov.cn`, kept as `.example.gov.cn`.
    Suffix(String),
    Net(IpNet),
}

/// A parsed allowlist.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allowlist {
    entries: Vec<Entry>,
}

/// Why a destination is refused, in words for the rule writer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("回调地址不在安全管理员维护的白名单内")]
    NotListed,
    #[error("回调地址解析到内部地址 {0}，该地址未列入白名单")]
    InternalAddress(IpAddr),
    #[error("回调地址无法解析")]
    Unresolved,
}

impl Allowlist {
    /// Parse the entries; `Err` names each entry that is not a host name,
    /// suffix, address or network.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, Vec<String>> {
        let mut parsed = Vec::new();
        let mut bad = Vec::new();
        for raw in entries {
            let text = raw.as_ref().trim().to_ascii_lowercase();
            if text.is_empty() {
                continue;
            }
            match parse_entry(&text) {
                Some(entry) => parsed.push(entry),
                None => bad.push(raw.as_ref().to_string()),
            }
        }
        if bad.is_empty() && parsed.len() <= MAX_ENTRIES {
            Ok(Self { entries: parsed })
        } else {
            Err(bad)
        }
    }

    /// Whether a rule may name this host at all (checked when the rule is
    /// saved, before any name is resolved): a listed name or a covered address.
    pub fn admits_host(&self, host: &str) -> bool {
        match bare_ip(host) {
            Some(ip) => self.covers(ip),
            None => self.lists_name(host),
        }
    }

    /// The check made right before sending, on the addresses `host` resolved
    /// to; the delivery then connects to one of exactly these addresses.
    pub fn check(&self, host: &str, resolved: &[IpAddr]) -> Result<(), Refusal> {
        if resolved.is_empty() {
            return Err(Refusal::Unresolved);
        }
        if let Some(internal) = resolved
            .iter()
            .find(|ip| is_internal(**ip) && !self.covers(**ip))
        {
            return Err(Refusal::InternalAddress(*internal));
        }
        if self.lists_name(host) || resolved.iter().all(|ip| self.covers(*ip)) {
            Ok(())
        } else {
            Err(Refusal::NotListed)
        }
    }

    fn lists_name(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.entries.iter().any(|entry| match entry {
            Entry::Host(name) => *name == host,
            Entry::Suffix(suffix) => host.ends_with(suffix.as_str()),
            Entry::Net(_) => false,
        })
    }

    fn covers(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.entries
            .iter()
            .any(|entry| matches!(entry, Entry::Net(net) if net.contains(&ip)))
    }
}

fn parse_entry(text: &str) -> Option<Entry> {
    if let Ok(net) = text.parse::<IpNet>() {
        return Some(Entry::Net(net.trunc()));
    }
    if let Some(ip) = bare_ip(text) {
        return Some(Entry::Net(IpNet::from(ip)));
    }
    let (suffix, name) = match text.strip_prefix("*.") {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let valid = !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    match (valid, suffix) {
        (false, _) => None,
        (true, true) => Some(Entry::Suffix(format!(".{name}"))),
        (true, false) => Some(Entry::Host(name.to_string())),
    }
}

/// An address written as a host (`10.0.0.1`, `[::1]`, `::1`).
pub fn bare_ip(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// Addresses of this machine, its link or a private network.
pub fn is_internal(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => internal_v6(v6),
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
}

fn internal_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn list(entries: &[&str]) -> Allowlist {
        Allowlist::parse(entries).unwrap()
    }

    #[test]
    fn nothing_passes_an_empty_list() {
        let empty = Allowlist::default();
        assert!(!empty.admits_host("hooks.example.gov.cn"));
        assert!(!empty.admits_host("127.0.0.1"));
        assert_eq!(
            empty.check("hooks.example.gov.cn", &[ip("203.0.113.9")]),
            Err(Refusal::NotListed)
        );
    }

    #[test]
    fn internal_addresses_need_a_listed_network_even_for_a_listed_name() {
        let names = list(&["hooks.example.gov.cn", "*.sms.gov.cn"]);
        assert!(names.admits_host("hooks.example.gov.cn"));
        assert!(names.admits_host("push.sms.gov.cn"));
        assert!(!names.admits_host("sms.gov.cn.evil.com"));
        assert_eq!(
            names.check("hooks.example.gov.cn", &[ip("203.0.113.9")]),
            Ok(())
        );
        for internal in [
            "127.0.0.1",
            "169.254.169.254",
            "10.1.2.3",
            "192.168.0.1",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "0.0.0.0",
        ] {
            assert_eq!(
                names.check("hooks.example.gov.cn", &[ip("203.0.113.9"), ip(internal)]),
                Err(Refusal::InternalAddress(ip(internal))),
                "{internal}"
            );
        }
        let with_net = list(&["hooks.example.gov.cn", "10.1.2.0/24"]);
        assert_eq!(
            with_net.check("hooks.example.gov.cn", &[ip("10.1.2.3")]),
            Ok(())
        );
        assert!(with_net
            .check("hooks.example.gov.cn", &[ip("10.1.3.3")])
            .is_err());
    }

    #[test]
    fn addresses_and_networks_admit_what_they_cover() {
        let nets = list(&["127.0.0.1", "10.1.2.0/24", "2001:db8::/32"]);
        assert!(nets.admits_host("127.0.0.1"));
        assert!(nets.admits_host("[2001:db8::5]"));
        assert!(!nets.admits_host("127.0.0.2"));
        assert!(!nets.admits_host("hooks.example.gov.cn"));
        assert_eq!(
            nets.check("hooks.example.gov.cn", &[ip("10.1.2.9")]),
            Ok(())
        );
        assert_eq!(
            nets.check("hooks.example.gov.cn", &[ip("10.1.2.9"), ip("203.0.113.9")]),
            Err(Refusal::NotListed)
        );
        assert_eq!(nets.check("x", &[]), Err(Refusal::Unresolved));
    }

    #[test]
    fn malformed_entries_are_named() {
        assert_eq!(
            Allowlist::parse(&["ok.gov.cn", "http://x/", "10.0.0.0/33", " "]),
            Err(vec!["http://x/".to_string(), "10.0.0.0/33".to_string()])
        );
        let too_many: Vec<String> = (0..=MAX_ENTRIES).map(|i| format!("h{i}.gov.cn")).collect();
        assert!(Allowlist::parse(&too_many).is_err());
    }
}
