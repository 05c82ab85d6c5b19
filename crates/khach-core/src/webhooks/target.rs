//! Where a webhook may be sent. Server-side request forgery is the classic webhook
//! hole (peers were bypassed with `127.1`, `0x7f000001`, `2130706433`, `0177.0.0.1`,
//! `[::ffff:a9fe:a9fe]` and redirects), so: the URL is parsed by the WHATWG rules (which
//! turn every such spelling into the plain address), every address is checked after
//! decoding IPv4 embedded in IPv6, names are resolved by our own resolver at
//! connection time (the connection uses exactly the checked addresses), and redirects
//! are never followed.

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Why a target is refused (a message key of the catalogue).
pub const INVALID: &str = "webhook-url-invalid";
pub const FORBIDDEN: &str = "webhook-url-forbidden";

/// Parses a webhook URL: http(s), a host, no credentials; an IP literal must be
/// allowed. Names are checked when they are resolved.
pub fn parse(raw: &str, allow_private: bool) -> Result<Url, &'static str> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > 2000 {
        return Err(INVALID);
    }
    let url = Url::parse(raw).map_err(|_| INVALID)?;
    if !matches!(url.scheme(), "http" | "https") || !url.username().is_empty() {
        return Err(INVALID);
    }
    if url.password().is_some() {
        return Err(INVALID);
    }
    match url.host() {
        None => Err(INVALID),
        Some(url::Host::Ipv4(a)) if !allowed(IpAddr::V4(a), allow_private) => Err(FORBIDDEN),
        Some(url::Host::Ipv6(a)) if !allowed(IpAddr::V6(a), allow_private) => Err(FORBIDDEN),
        Some(url::Host::Domain(d)) if is_local_name(d) && !allow_private => Err(FORBIDDEN),
        Some(_) => Ok(url),
    }
}

/// Names that mean "this machine" or "this network" whatever DNS says.
fn is_local_name(d: &str) -> bool {
    let d = d.trim_end_matches('.').to_ascii_lowercase();
    d == "localhost"
        || d.ends_with(".localhost")
        || d.ends_with(".local")
        || d.ends_with(".internal")
        || d == "metadata"
}

/// The IPv4 address inside an IPv6 one (mapped, compatible, NAT64, 6to4, Teredo),
/// which is where the traffic really goes.
fn embedded_v4(a: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = a.segments();
    let o = a.octets();
    if let Some(v4) = a.to_ipv4_mapped() {
        return Some(v4);
    }
    // ::a.b.c.d (deprecated "compatible"), but not :: and ::1.
    if s[..6] == [0; 6] && (s[6] != 0 || s[7] > 1) {
        return Some(Ipv4Addr::new(o[12], o[13], o[14], o[15]));
    }
    // NAT64 64:ff9b::/96 and 64:ff9b:1::/48.
    if s[0] == 0x64 && s[1] == 0xff9b {
        return Some(Ipv4Addr::new(o[12], o[13], o[14], o[15]));
    }
    // 6to4 2002:AABB:CCDD::/48.
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::new(o[2], o[3], o[4], o[5]));
    }
    // Teredo 2001:0::/32: the client address is the last 32 bits inverted.
    if s[0] == 0x2001 && s[1] == 0 {
        return Some(Ipv4Addr::new(!o[12], !o[13], !o[14], !o[15]));
    }
    None
}

/// Cloud metadata services: refused even when private targets are allowed.
fn is_metadata(a: IpAddr) -> bool {
    match a {
        IpAddr::V4(v4) => v4.octets()[..2] == [169, 254] || v4 == Ipv4Addr::new(100, 100, 100, 200),
        IpAddr::V6(v6) => v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254),
    }
}

fn private_v4(a: Ipv4Addr) -> bool {
    let o = a.octets();
    a.is_loopback()
        || a.is_private()
        || o[0] == 100 && (o[1] & 0xc0) == 64 // CGNAT 100.64.0.0/10
        || o[0] == 198 && (o[1] & 0xfe) == 18 // benchmarking 198.18.0.0/15
}

fn never_v4(a: Ipv4Addr) -> bool {
    let o = a.octets();
    o[0] == 0 // "this network", 0.0.0.0 reaches the local host
        || a.is_link_local()
        || a.is_multicast()
        || a.is_broadcast()
        || o[0] >= 240
        || o[..3] == [192, 0, 0]
        || a.is_documentation()
}

/// May a delivery connect to `a`?
pub fn allowed(a: IpAddr, allow_private: bool) -> bool {
    if is_metadata(a) {
        return false;
    }
    match a {
        IpAddr::V4(v4) => !never_v4(v4) && (allow_private || !private_v4(v4)),
        IpAddr::V6(v6) => {
            if let Some(v4) = embedded_v4(v6) {
                return allowed(IpAddr::V4(v4), allow_private);
            }
            let s0 = v6.segments()[0];
            let never = v6.is_unspecified()
                || v6.is_multicast()
                || (s0 & 0xffc0) == 0xfe80 // link-local
                || (s0 & 0xffc0) == 0xfec0 // site-local
                || (s0 == 0x2001 && v6.segments()[1] == 0x0db8); // documentation
            let private = v6.is_loopback() || (s0 & 0xfe00) == 0xfc00; // unique local
            !never && (allow_private || !private)
        }
    }
}

/// The resolver of the delivery client: the system's answers, less every address a
/// delivery may not reach. A name with nothing left is an error, so the connection
/// is never made.
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            if is_local_name(&host) && !allow_private {
                return Err(FORBIDDEN.into());
            }
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| allowed(a.ip(), allow_private))
                .collect();
            if found.is_empty() {
                return Err(FORBIDDEN.into());
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

/// Resolves a name now (when an endpoint is saved) and tells whether any address it
/// has is forbidden. A name that does not resolve yet is accepted: it is checked
/// again on every delivery.
pub async fn check_name(url: &Url, allow_private: bool) -> Result<(), &'static str> {
    let Some(url::Host::Domain(d)) = url.host() else {
        return Ok(());
    };
    let port = url.port_or_known_default().unwrap_or(443);
    if let Ok(addrs) = tokio::net::lookup_host((d, port)).await {
        for a in addrs {
            if !allowed(a.ip(), allow_private) {
                return Err(FORBIDDEN);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_in_every_spelling_are_refused() {
        for u in [
            "http://127.0.0.1/",
            "http://127.1/",
            "http://0177.0.0.1/",
            "http://0x7f000001/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[::ffff:a9fe:a9fe]/",
            "http://[0:0:0:0:0:ffff:169.254.169.254]/",
            "http://[64:ff9b::7f00:1]/",
            "http://[2002:7f00:1::]/",
            "http://[fe80::1]/",
            "http://[fd00::1]/",
            "http://[fd00:ec2::254]/",
            "http://[::]/",
            "http://169.254.169.254/latest/meta-data/",
            "http://0xa9fea9fe/",
            "http://2852039166/",
            "http://0.0.0.0/",
            "http://0/",
            "http://10.0.0.1/",
            "http://172.16.5.4/",
            "http://192.168.1.1/",
            "http://100.64.0.1/",
            "http://100.100.100.200/",
            "http://localhost/",
            "http://LOCALHOST./",
            "http://api.localhost/",
            "http://224.0.0.1/",
            "http://255.255.255.255/",
        ] {
            assert_eq!(parse(u, false).err(), Some(FORBIDDEN), "{u}");
        }
    }

    #[test]
    fn public_targets_pass_and_private_ones_only_when_allowed() {
        assert!(parse("https://hooks.example.com/x?y=1", false).is_ok());
        assert!(parse("http://8.8.8.8/", false).is_ok());
        assert!(parse("http://[2606:4700::1111]/", false).is_ok());
        assert!(parse("http://127.0.0.1:9000/", true).is_ok());
        assert!(parse("http://10.1.2.3/", true).is_ok());
        // Metadata stays out even then.
        assert_eq!(
            parse("http://169.254.169.254/", true).err(),
            Some(FORBIDDEN)
        );
        assert_eq!(
            parse("http://[::ffff:a9fe:a9fe]/", true).err(),
            Some(FORBIDDEN)
        );
    }

    #[test]
    fn what_is_not_an_http_url_is_invalid() {
        for u in [
            "",
            "hooks.example.com",
            "ftp://example.com/",
            "file:///etc/passwd",
            "http://user:pw@example.com/",
            "gopher://127.0.0.1:25/",
        ] {
            assert_eq!(parse(u, false).err(), Some(INVALID), "{u}");
        }
    }
}
