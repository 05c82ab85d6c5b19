//! Realistic Vietnamese demo customers, deterministic for a seed.
//!
//! Customer number `i` is a pure function of `(seed, i)` and the size of the data
//! set: its own small random stream (splitmix64, no extra crate, and stable across
//! library versions), so the batch size never changes the data. Creation times rise
//! with `i` over three years, as they do in a real CRM (codes and ids follow the
//! order customers were created in). About 3 % of customers are the same person as an earlier one, entered
//! again with the name spelled differently and the phone typed another way (at times
//! as the pre-2018 11-digit number): what the merge feature has to find.

pub mod names;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use khach_core::customers::seed::Generated;
use khach_types::api::Gender;
use names::*;
use serde_json::{Map, Value, json};

/// splitmix64 (Steele, Lea, Flood 2014): tiny, fast, good enough for test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The stream of item `index` under `seed`.
    pub fn for_item(seed: u64, index: u64) -> Self {
        let mut r = Self(seed ^ 0x5DEE_CE66_D1CE_4E5B);
        let s = r.next_u64();
        Self(s ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// True with `percent` % probability.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = self.below(items.len() as u64) as usize;
        &items[i.min(items.len().saturating_sub(1))]
    }

    /// An item chosen in proportion to its weight.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut x = self.below(total);
        for (item, w) in items {
            if x < u64::from(*w) {
                return item;
            }
            x -= u64::from(*w);
        }
        &items[items.len() - 1].0
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

/// Who someone is, before how they were typed in.
#[derive(Debug, Clone)]
struct Person {
    family: &'static str,
    middle: Vec<&'static str>,
    given: &'static str,
    gender: Gender,
    /// National form, `0912345678`.
    mobile: String,
    email: Option<String>,
    birthday: Option<NaiveDate>,
}

impl Person {
    fn full_name(&self) -> String {
        let mut parts = vec![self.family];
        parts.extend(&self.middle);
        parts.push(self.given);
        parts.join(" ")
    }
}

/// The demo data set for one seed.
#[derive(Debug, Clone)]
pub struct Demo {
    seed: u64,
    /// Customers were created during the three years before this instant.
    until: DateTime<Utc>,
    /// How many customers the data set holds: the history is spread over them.
    total: u64,
}

/// Days of history the demo's `created_at` values spread over.
pub const HISTORY_DAYS: i64 = 3 * 365;

/// The fixed end of the demo's history (2026-01-01 00:00 UTC): with it, a seed
/// gives the same customers, dates included, whenever it runs.
pub fn default_until() -> DateTime<Utc> {
    DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default()
}

impl Demo {
    pub fn new(seed: u64, until: DateTime<Utc>, total: u64) -> Self {
        Self { seed, until, total }
    }

    /// When customer `index` was created: `index / total` of the way through the
    /// history, with up to one customer's share of jitter (so never out of order).
    fn created_at(&self, r: &mut Rng, index: u64) -> DateTime<Utc> {
        let span = (HISTORY_DAYS * 86_400) as u128;
        let total = u128::from(self.total.max(index + 1));
        let at = (u128::from(index) * 1000 + u128::from(r.below(1000))) * span / (total * 1000);
        self.until - Duration::seconds((span - at) as i64)
    }

    pub fn until(&self) -> DateTime<Utc> {
        self.until
    }

    fn person(&self, index: u64) -> Person {
        let mut r = Rng::for_item(self.seed, index);
        let family = *r.weighted(FAMILY);
        let female = r.chance(52);
        let (gender, middle, given) = if female {
            (
                Gender::Female,
                *r.weighted(MIDDLE_FEMALE),
                *r.pick(GIVEN_FEMALE),
            )
        } else {
            (Gender::Male, *r.weighted(MIDDLE_MALE), *r.pick(GIVEN_MALE))
        };
        let mut middles = vec![middle];
        if r.chance(18) {
            let second = *r.pick(SECOND_MIDDLE);
            if second != middle && second != given {
                middles.push(second);
            }
        }
        let mobile = mobile(&mut r);
        let birth_year = 1955 + r.below(52) as i32;
        let birthday = if r.chance(55) {
            NaiveDate::from_yo_opt(birth_year, 1 + r.below(365) as u32)
        } else {
            None
        };
        let p = Person {
            family,
            middle: middles,
            given,
            gender,
            mobile,
            email: None,
            birthday,
        };
        let email = if r.chance(82) {
            Some(self.email(&mut r, &p, birth_year, index))
        } else {
            None
        };
        Person { email, ..p }
    }

    fn email(&self, r: &mut Rng, p: &Person, birth_year: i32, index: u64) -> String {
        let f = |s: &str| khach_types::fold(s).replace(' ', "");
        let (family, given) = (f(p.family), f(p.given));
        let initials: String = p
            .middle
            .iter()
            .map(|m| f(m).chars().next().unwrap_or('x'))
            .collect();
        let yy = birth_year % 100;
        let local = match r.below(5) {
            0 => format!("{given}.{family}{yy:02}"),
            1 => format!(
                "{family}{}{given}{}",
                p.middle.iter().map(|m| f(m)).collect::<String>(),
                r.below(100)
            ),
            2 => format!(
                "{given}{}{initials}{yy:02}",
                family.chars().next().unwrap_or('x')
            ),
            3 => format!("{given}_{family}{}", birth_year),
            _ => format!("{given}{family}{}", index % 10_000),
        };
        format!("{local}@{}", r.weighted(EMAIL_DOMAINS))
    }

    /// The earlier customer that customer `index` is a second entry of, if any,
    /// with the random stream positioned after that choice.
    fn duplicate_of(&self, index: u64) -> (Option<u64>, Rng) {
        let mut r = Rng::for_item(self.seed, index ^ 0xA5A5_0000_0000_0000);
        let of = (index >= 50 && r.chance(3)).then(|| r.below(index));
        (of, r)
    }

    /// Who customer `index` really is: customers with the same person are one
    /// person entered several times (the labels of the duplicate detection's test).
    pub fn person_of(&self, index: u64) -> u64 {
        self.duplicate_of(index).0.unwrap_or(index)
    }

    /// Customer number `index` (0-based) of this data set.
    pub fn customer(&self, index: u64) -> Generated {
        let (duplicate_of, mut r) = self.duplicate_of(index);
        let (person, name, phones, emails) = match duplicate_of {
            None => {
                let p = self.person(index);
                let mut phones = vec![typed_phone(&mut r, &p.mobile)];
                if r.chance(10) {
                    let other = mobile(&mut r);
                    phones.push(typed_phone(&mut r, &other));
                }
                let mut emails: Vec<String> = p.email.iter().cloned().collect();
                if !emails.is_empty() && r.chance(8) {
                    emails.push(format!(
                        "{}{}@gmail.com",
                        khach_types::fold(p.given),
                        r.digits(4)
                    ));
                }
                (p.clone(), p.full_name(), phones, emails)
            }
            Some(j) => {
                let p = self.person(j);
                let name = respelled(&mut r, &p);
                let phone = if r.chance(30) {
                    old_form(&p.mobile).unwrap_or_else(|| typed_phone(&mut r, &p.mobile))
                } else {
                    typed_phone(&mut r, &p.mobile)
                };
                let emails = match (&p.email, r.below(10)) {
                    (Some(e), 0..=3) => vec![e.to_uppercase()],
                    (Some(_), 4..=5) => vec![format!(
                        "{}{}@gmail.com",
                        khach_types::fold(p.given),
                        r.digits(3)
                    )],
                    _ => Vec::new(),
                };
                (p, name, vec![phone], emails)
            }
        };
        let mut g = Generated {
            name,
            gender: r.chance(92).then_some(person.gender),
            birthday: person.birthday,
            phones,
            emails,
            created_at: self.created_at(&mut r, index),
            ..Generated::default()
        };
        if r.chance(92) {
            let province = pick_province(&mut r);
            let wards = khach_types::units::wards(province);
            if !wards.is_empty() {
                g.ward_code = Some(r.pick(wards).code.to_string());
            }
            g.province_code = Some(province.to_string());
            if r.chance(70) {
                g.street = Some(street(&mut r));
            }
        }
        g.stage = Some((*r.weighted(STAGES)).to_string());
        if r.chance(85) {
            let weights: Vec<(&str, u32)> = SOURCES.iter().map(|(n, _, w)| (*n, *w)).collect();
            g.source = Some((*r.weighted(&weights)).to_string());
        }
        g.tags = TAGS
            .iter()
            .filter(|(_, pct)| r.chance(u64::from(*pct)))
            .map(|(t, _)| (*t).to_string())
            .collect();
        g.custom = custom(&mut r, self.until);
        if r.chance(4) {
            g.notes = Some((*r.pick(NOTES)).to_string());
        }
        g
    }

    /// Customers `from..to`.
    pub fn customers(&self, from: u64, to: u64) -> impl Iterator<Item = Generated> + '_ {
        (from..to).map(move |i| self.customer(i))
    }
}

/// A mobile number in national form (`0912345678`).
fn mobile(r: &mut Rng) -> String {
    let prefix = r.weighted(MOBILE_PREFIXES);
    format!("{prefix}{}", r.digits(10usize.saturating_sub(prefix.len())))
}

/// How one mobile number gets typed.
fn typed_phone(r: &mut Rng, national: &str) -> String {
    let rest = national.get(1..).unwrap_or_default();
    let (a, b, c) = (
        national.get(..4).unwrap_or_default(),
        national.get(4..7).unwrap_or_default(),
        national.get(7..).unwrap_or_default(),
    );
    match r.below(100) {
        0..=54 => national.to_string(),
        55..=74 => format!("{a} {b} {c}"),
        75..=84 => format!("{a}.{b}.{c}"),
        85..=92 => format!(
            "+84 {} {} {}",
            rest.get(..3).unwrap_or_default(),
            rest.get(3..6).unwrap_or_default(),
            rest.get(6..).unwrap_or_default()
        ),
        93..=96 => format!("+84{rest}"),
        _ => format!("84{rest}"),
    }
}

/// The pre-2018 11-digit form of a mobile number, if it had one.
fn old_form(national: &str) -> Option<String> {
    const NEW_TO_OLD: [(&str, &str); 21] = [
        ("032", "0162"),
        ("033", "0163"),
        ("034", "0164"),
        ("035", "0165"),
        ("036", "0166"),
        ("037", "0167"),
        ("038", "0168"),
        ("039", "0169"),
        ("070", "0120"),
        ("079", "0121"),
        ("077", "0122"),
        ("076", "0126"),
        ("078", "0128"),
        ("083", "0123"),
        ("084", "0124"),
        ("085", "0125"),
        ("081", "0127"),
        ("082", "0129"),
        ("056", "0186"),
        ("058", "0188"),
        ("059", "0199"),
    ];
    NEW_TO_OLD.iter().find_map(|(new, old)| {
        national
            .strip_prefix(new)
            .map(|rest| format!("{old}{rest}"))
    })
}

/// The same person's name as someone else typed it.
fn respelled(r: &mut Rng, p: &Person) -> String {
    let full = p.full_name();
    match r.below(100) {
        // Without diacritics, capitalised: "Nguyen Van An".
        0..=34 => khach_types::fold(&full)
            .split(' ')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect::<String>())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(" "),
        35..=49 => full.to_uppercase(),
        50..=69 => format!("{} {}", p.family, p.given),
        70..=79 => full.to_lowercase(),
        // Given name first, as on foreign forms: "An Nguyễn Văn".
        80..=89 => format!("{} {} {}", p.given, p.family, p.middle.join(" ")),
        _ => full,
    }
}

fn pick_province(r: &mut Rng) -> &'static str {
    let big: u32 = BIG_PROVINCES.iter().map(|(_, w)| w).sum();
    if r.below(u64::from(big + OTHER_PROVINCES)) < u64::from(big) {
        return r.weighted::<&'static str>(BIG_PROVINCES);
    }
    let others: Vec<&'static str> = khach_types::units::provinces()
        .iter()
        .map(|p| p.code)
        .filter(|c| !BIG_PROVINCES.iter().any(|(b, _)| b == c))
        .collect();
    if others.is_empty() {
        "01"
    } else {
        r.pick::<&'static str>(&others)
    }
}

fn street(r: &mut Rng) -> String {
    let name = r.pick(STREETS);
    match r.below(10) {
        0..=5 => format!("{} {name}", 1 + r.below(400)),
        6..=7 => format!("{}/{} {name}", 1 + r.below(200), 1 + r.below(60)),
        _ => format!("Ngõ {} {name}, số {}", 1 + r.below(150), 1 + r.below(80)),
    }
}

/// Values for the demo's custom fields, typed the various ways people type them.
fn custom(r: &mut Rng, until: DateTime<Utc>) -> Map<String, Value> {
    let mut m = Map::new();
    if r.chance(60) {
        let weights: Vec<((&str, &str), u32)> =
            TIERS.iter().map(|(k, l, w)| ((*k, *l), *w)).collect();
        let (key, label) = *r.weighted(&weights);
        m.insert("hang".into(), json!(if r.chance(70) { key } else { label }));
    }
    if r.chance(70) {
        let dong = (1 + r.below(20_000)) * 10_000;
        let v = if r.chance(70) {
            json!(dong)
        } else {
            json!(format!("{} đ", group_thousands(dong)))
        };
        m.insert("chi_tieu".into(), v);
    }
    if r.chance(50) {
        let d = (until - Duration::days(1 + r.below(720) as i64)).date_naive();
        let v = if r.chance(70) {
            d.format("%Y-%m-%d").to_string()
        } else {
            d.format("%d/%m/%Y").to_string()
        };
        m.insert("ngay_mua_cuoi".into(), json!(v));
    }
    m
}

/// `1500000` → `1.500.000`.
fn group_thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use khach_types::{Email, Phone};

    fn demo() -> Demo {
        Demo::new(
            7,
            DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
            5000,
        )
    }

    #[test]
    fn same_seed_same_customers_whatever_the_order() {
        let d = demo();
        let a: Vec<_> = d.customers(0, 500).collect();
        let b: Vec<_> = (0..500).rev().map(|i| d.customer(i)).rev().collect();
        assert_eq!(a, b);
        assert_ne!(Demo::new(8, d.until(), 5000).customer(3), d.customer(3));
        let times: Vec<_> = a.iter().map(|g| g.created_at).collect();
        assert!(
            times.windows(2).all(|w| w[0] <= w[1]),
            "created in code order"
        );
        assert!(times[0] < d.until() - Duration::days(HISTORY_DAYS - 1));
    }

    #[test]
    fn every_generated_value_parses() {
        let d = demo();
        for g in d.customers(0, 5000) {
            for p in &g.phones {
                assert!(Phone::parse(p).is_ok(), "{p}");
            }
            for e in &g.emails {
                assert!(Email::parse(e).is_ok(), "{e}");
            }
            if let (Some(p), Some(w)) = (&g.province_code, &g.ward_code) {
                assert!(khach_types::units::ward(p, w).is_some());
            }
        }
        for (prefix, _) in MOBILE_PREFIXES {
            let n = format!("{prefix}{}", &"1234567"[prefix.len() - 3..]);
            assert!(Phone::parse(&n).is_ok(), "{n}");
            if let Some(old) = old_form(&n) {
                assert_eq!(Phone::parse(&old).unwrap().national(), n);
            }
        }
    }

    #[test]
    fn duplicates_share_a_phone_number() {
        let d = demo();
        let all: Vec<_> = d.customers(0, 3000).collect();
        let e164 = |g: &Generated| Phone::parse(&g.phones[0]).unwrap().e164().to_string();
        let mut seen = std::collections::HashMap::new();
        let mut dup = 0;
        for g in &all {
            if seen.insert(e164(g), g.name.clone()).is_some() {
                dup += 1;
            }
        }
        assert!((30..=150).contains(&dup), "{dup} duplicates in 3000");
        assert_eq!(group_thousands(1_500_000), "1.500.000");
        assert_eq!(group_thousands(10_000), "10.000");
    }
}
