//! Vietnam's administrative units after the 1 July 2025 reform: the 34 provincial
//! units (6 centrally-run cities and 28 provinces) and their 3,321 commune-level
//! units (phường, xã, đặc khu), with no district level in between.
//!
//! This module owns the embedded, read-only list in `data/vn-units-2025.tsv`
//! (official GSO/NSO codes, Vietnamese names in NFC with their type word) and the
//! lookups over it. The file is parsed once, on first use. Codes are fixed-width
//! digit strings (2 digits for a province, 5 for a ward), so sorting them as text
//! sorts them by number.

use std::sync::OnceLock;

/// The data file: `province_code<TAB>ward_code<TAB>name`, an empty ward code on a
/// province line, `#` lines are comments.
const DATA: &str = include_str!("../data/vn-units-2025.tsv");

/// A provincial unit: "Thành phố Hà Nội" (01), "Tỉnh Cao Bằng" (04), …
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Province {
    /// Two-digit GSO/NSO code, e.g. "01".
    pub code: &'static str,
    /// Full name with its type word, e.g. "Thành phố Hà Nội", "Tỉnh Cao Bằng".
    pub name: &'static str,
}

/// A commune-level unit: "Phường Ba Đình", "Xã …", "Đặc khu …".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ward {
    /// Code of the province the ward belongs to, e.g. "01".
    pub province_code: &'static str,
    /// Five-digit GSO/NSO code, e.g. "00004". Unique across the country.
    pub code: &'static str,
    /// Full name with its type word, e.g. "Phường Ba Đình".
    pub name: &'static str,
}

/// One meaningful line of the data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Province(Province),
    Ward(Ward),
}

struct Units {
    /// Sorted by code, codes unique.
    provinces: Vec<Province>,
    /// Sorted by (province code, code), codes unique.
    wards: Vec<Ward>,
}

static UNITS: OnceLock<Units> = OnceLock::new();

fn units() -> &'static Units {
    UNITS.get_or_init(|| load(DATA))
}

fn is_code(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

/// `Ok(None)` for a blank or comment line, `Err(())` for a malformed one.
fn parse_line(line: &'static str) -> Result<Option<Entry>, ()> {
    let line = line.trim_end_matches('\r');
    if line.trim().is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let mut fields = line.split('\t');
    let (Some(province_code), Some(code), Some(name), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(());
    };
    if !is_code(province_code, 2) || name.is_empty() || name.trim() != name {
        return Err(());
    }
    if code.is_empty() {
        Ok(Some(Entry::Province(Province {
            code: province_code,
            name,
        })))
    } else if is_code(code, 5) {
        Ok(Some(Entry::Ward(Ward {
            province_code,
            code,
            name,
        })))
    } else {
        Err(())
    }
}

/// Malformed lines are skipped (the tests make sure there are none); on a
/// duplicate code the first line wins.
fn load(data: &'static str) -> Units {
    let mut provinces = Vec::new();
    let mut wards = Vec::new();
    for entry in data
        .lines()
        .filter_map(|line| parse_line(line).ok().flatten())
    {
        match entry {
            Entry::Province(p) => provinces.push(p),
            Entry::Ward(w) => wards.push(w),
        }
    }
    provinces.sort_by_key(|p| p.code);
    provinces.dedup_by_key(|p| p.code);
    wards.sort_by_key(|w| w.code);
    wards.dedup_by_key(|w| w.code);
    wards.sort_by_key(|w| (w.province_code, w.code));
    Units { provinces, wards }
}

/// All 34 provincial units, sorted by code.
pub fn provinces() -> &'static [Province] {
    &units().provinces
}

/// The provincial unit with this two-digit code ("01" → Thành phố Hà Nội).
pub fn province(code: &str) -> Option<&'static Province> {
    let all = provinces();
    all.binary_search_by(|p| p.code.cmp(code))
        .ok()
        .and_then(|i| all.get(i))
}

/// The commune-level units of a province, sorted by code; empty for an unknown
/// province code.
pub fn wards(province_code: &str) -> &'static [Ward] {
    let all = &units().wards;
    let start = all.partition_point(|w| w.province_code < province_code);
    let end = all.partition_point(|w| w.province_code <= province_code);
    all.get(start..end).unwrap_or(&[])
}

/// The ward with this five-digit code, if it belongs to this province.
pub fn ward(province_code: &str, ward_code: &str) -> Option<&'static Ward> {
    let in_province = wards(province_code);
    in_province
        .binary_search_by(|w| w.code.cmp(ward_code))
        .ok()
        .and_then(|i| in_province.get(i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use unicode_normalization::is_nfc;

    fn raw_entries() -> Vec<Entry> {
        DATA.lines()
            .enumerate()
            .filter_map(|(i, line)| match parse_line(line) {
                Ok(entry) => entry,
                Err(()) => panic!("line {} does not parse: {line:?}", i + 1),
            })
            .collect()
    }

    #[test]
    fn every_line_parses_and_counts_are_right() {
        let entries = raw_entries();
        let raw_provinces = entries
            .iter()
            .filter(|e| matches!(e, Entry::Province(_)))
            .count();
        let raw_wards = entries.len() - raw_provinces;
        assert_eq!(raw_provinces, 34);
        assert_eq!(raw_wards, 3321);
        // Nothing was dropped as a duplicate.
        assert_eq!(provinces().len(), raw_provinces);
        let all_wards: usize = provinces().iter().map(|p| wards(p.code).len()).sum();
        assert_eq!(all_wards, raw_wards);
        assert_eq!(units().wards.len(), raw_wards);
    }

    #[test]
    fn malformed_lines_are_rejected() {
        assert_eq!(parse_line("# comment"), Ok(None));
        assert_eq!(parse_line(""), Ok(None));
        assert!(parse_line("01\tPhường Ba Đình").is_err());
        assert!(parse_line("1\t\tThành phố Hà Nội").is_err());
        assert!(parse_line("01\t0004\tPhường Ba Đình").is_err());
        assert!(parse_line("01\t00004\t").is_err());
        assert!(parse_line("01\t00004\tPhường Ba Đình\textra").is_err());
        assert_eq!(
            parse_line("01\t00004\tPhường Ba Đình\r"),
            Ok(Some(Entry::Ward(Ward {
                province_code: "01",
                code: "00004",
                name: "Phường Ba Đình",
            })))
        );
    }

    #[test]
    fn thirty_four_provinces_six_cities_sorted() {
        let all = provinces();
        assert_eq!(all.len(), 34);
        assert!(all.windows(2).all(|w| w[0].code < w[1].code));
        let cities = all
            .iter()
            .filter(|p| p.name.starts_with("Thành phố "))
            .count();
        let provs = all.iter().filter(|p| p.name.starts_with("Tỉnh ")).count();
        assert_eq!((cities, provs), (6, 28));
    }

    #[test]
    fn known_province_codes() {
        for (code, name) in [
            ("01", "Thành phố Hà Nội"),
            ("79", "Thành phố Hồ Chí Minh"),
            ("48", "Thành phố Đà Nẵng"),
            ("92", "Thành phố Cần Thơ"),
            ("31", "Thành phố Hải Phòng"),
            ("46", "Thành phố Huế"),
            ("04", "Tỉnh Cao Bằng"),
            ("96", "Tỉnh Cà Mau"),
            ("56", "Tỉnh Khánh Hòa"),
        ] {
            assert_eq!(province(code).map(|p| p.name), Some(name), "{code}");
        }
        // Provinces merged away in 2025.
        for gone in [
            "02", "10", "26", "27", "30", "34", "35", "36", "89", "94", "95",
        ] {
            assert_eq!(province(gone), None, "{gone}");
        }
        assert_eq!(province(""), None);
        assert_eq!(province("1"), None);
    }

    #[test]
    fn known_wards() {
        for (p, code, name) in [
            ("01", "00004", "Phường Ba Đình"),
            ("01", "00070", "Phường Hoàn Kiếm"),
            ("01", "00082", "Phường Cửa Nam"),
            ("01", "00226", "Phường Văn Miếu - Quốc Tử Giám"),
            ("79", "26740", "Phường Sài Gòn"),
            ("79", "27154", "Phường Bàn Cờ"),
            ("79", "26732", "Đặc khu Côn Đảo"),
            ("48", "20333", "Đặc khu Hoàng Sa"),
            ("56", "22736", "Đặc khu Trường Sa"),
            ("04", "01537", "Xã Lý Quốc"),
            ("91", "31078", "Đặc khu Phú Quốc"),
        ] {
            let w = ward(p, code);
            assert_eq!(w.map(|w| w.name), Some(name), "{p} {code}");
            assert_eq!(w.map(|w| w.province_code), Some(p));
        }
        // A real ward asked under the wrong province is not found.
        assert_eq!(ward("79", "00004"), None);
        assert_eq!(ward("01", "99999"), None);
        assert!(wards("00").is_empty());
        assert!(wards("").is_empty());
        assert_eq!(wards("01").len(), 126);
        assert_eq!(wards("79").len(), 168);
    }

    #[test]
    fn every_ward_has_a_province_and_codes_are_unique() {
        let province_codes: HashSet<_> = provinces().iter().map(|p| p.code).collect();
        assert_eq!(province_codes.len(), 34);
        let mut ward_codes = HashSet::new();
        for entry in raw_entries() {
            if let Entry::Ward(w) = entry {
                assert!(province_codes.contains(w.province_code), "{w:?}");
                assert!(ward_codes.insert(w.code), "duplicate ward code {}", w.code);
            }
        }
        for p in provinces() {
            let ws = wards(p.code);
            assert!(!ws.is_empty(), "{} has no wards", p.code);
            assert!(ws.windows(2).all(|w| w[0].code < w[1].code));
            assert!(ws.iter().all(|w| w.province_code == p.code));
        }
    }

    #[test]
    fn names_are_nfc_with_a_type_word() {
        assert!(provinces().iter().all(|p| is_nfc(p.name)));
        let mut special_zones = 0;
        for p in provinces() {
            for w in wards(p.code) {
                assert!(is_nfc(w.name), "{w:?}");
                assert!(!w.name.contains("  "), "{w:?}");
                if w.name.starts_with("Đặc khu ") {
                    special_zones += 1;
                } else {
                    assert!(
                        w.name.starts_with("Phường ") || w.name.starts_with("Xã "),
                        "{w:?}"
                    );
                }
            }
        }
        assert_eq!(special_zones, 13);
    }
}
