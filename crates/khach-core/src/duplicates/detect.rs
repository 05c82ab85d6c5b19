//! Finding pairs of customers that are one person, without comparing all pairs.
//!
//! Blocking: every customer gets a few keys — each phone (its own and its
//! sub-contacts', E.164), each e-mail, the last 7 digits of each phone, each
//! e-mail's local part, its birthday with its first or last name word, its ward and
//! street. Only customers sharing a key are compared; a key shared by too many
//! customers (a switchboard number, "info@") says nothing and is skipped. Keys are
//! 64-bit hashes sorted in one vector, so a million customers fit in a few hundred
//! megabytes and a sort.
//!
//! Scoring (0–100): the folded names (diacritics and case ignored) are the same,
//! the same words in another order, one inside the other, or alike, and the pair
//! shares a phone, an e-mail, a phone's last digits, an e-mail's local part, a
//! birthday, an address. A pair that shares a phone or an e-mail is `exact`; one
//! that scores [`LIKELY`] or more is `likely`. Two phones that have nothing in
//! common count against. Kept: exact pairs from [`EXACT_FLOOR`], others from
//! [`POSSIBLE`].

use khach_types::api::DuplicateReason;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

/// From this score a pair is shown as likely the same person.
pub const LIKELY: i32 = 70;
/// Below this score a pair without a shared phone or e-mail is not kept.
pub const POSSIBLE: i32 = 50;
/// Below this score not even a shared phone or e-mail is kept: an e-mail shared by
/// people with other names and other phones is a family's or an office's mailbox.
pub const EXACT_FLOOR: i32 = 40;
/// A key shared by more customers than this is not used for an exact key (phone,
/// e-mail) …
const MAX_EXACT_GROUP: usize = 100;
/// … nor for a weaker one.
const MAX_WEAK_GROUP: usize = 30;
/// E-mail local parts too common to mean anything.
const GENERIC_LOCALS: &[&str] = &[
    "info", "admin", "contact", "sales", "support", "hello", "lienhe", "test", "email", "mail",
    "noreply", "ketoan", "cskh",
];

/// A customer prepared for comparison.
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub id: i64,
    /// Folded name words.
    pub words: Vec<String>,
    pub birthday: Option<chrono::NaiveDate>,
    pub ward: Option<String>,
    /// Folded street.
    pub street: Option<String>,
    /// E.164.
    pub phones: Vec<String>,
    /// Lower case.
    pub emails: Vec<String>,
}

impl Record {
    /// Prepares a stored customer.
    pub fn of(p: khach_db::duplicates::Person) -> Self {
        let folded = khach_types::fold(&p.name);
        Record {
            id: p.id,
            words: folded.split(' ').map(str::to_string).collect(),
            birthday: p.birthday,
            ward: p.ward_code,
            street: p
                .street
                .map(|s| khach_types::fold(&s))
                .filter(|s| !s.is_empty()),
            phones: p.phones,
            emails: p.emails.into_iter().map(|e| e.to_lowercase()).collect(),
        }
    }
}

/// A pair found, `a < b` by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub a: i64,
    pub b: i64,
    pub score: i32,
    pub exact: bool,
    pub reasons: Vec<DuplicateReason>,
}

impl Found {
    pub fn kind(&self) -> &'static str {
        if self.exact { "exact" } else { "similar" }
    }
    pub fn level(&self) -> &'static str {
        if self.score >= LIKELY {
            "likely"
        } else {
            "possible"
        }
    }
}

fn local_part(email: &str) -> Option<&str> {
    let local = email.split('@').next()?;
    let bare = local.split('+').next().unwrap_or(local);
    (bare.len() >= 5 && !GENERIC_LOCALS.contains(&bare)).then_some(bare)
}

fn suffix(e164: &str) -> Option<&str> {
    e164.len().checked_sub(7).and_then(|i| e164.get(i..))
}

/// Exact keys are tagged 0–1, weak ones 2–5.
fn key(tag: u8, parts: &[&str]) -> u64 {
    let mut h = DefaultHasher::new();
    tag.hash(&mut h);
    parts.hash(&mut h);
    h.finish() & !(0b111 << 61) | (u64::from(tag) << 61)
}

fn exact_key(k: u64) -> bool {
    (k >> 61) < 2
}

fn keys(r: &Record, out: &mut Vec<u64>) {
    for p in &r.phones {
        out.push(key(0, &[p]));
        if let Some(s) = suffix(p) {
            out.push(key(2, &[s]));
        }
    }
    for e in &r.emails {
        out.push(key(1, &[e]));
        if let Some(l) = local_part(e) {
            out.push(key(3, &[l]));
        }
    }
    if let (Some(b), Some(first), Some(last)) = (r.birthday, r.words.first(), r.words.last()) {
        let day = b.to_string();
        out.push(key(4, &[&day, first]));
        if last != first {
            out.push(key(4, &[&day, last]));
        }
    }
    if let (Some(w), Some(s)) = (&r.ward, &r.street) {
        out.push(key(5, &[w, s]));
    }
}

/// How two folded names relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameMatch {
    Same,
    Reordered,
    Contained,
    Similar,
    Different,
}

impl NameMatch {
    fn points(self) -> i32 {
        match self {
            NameMatch::Same => 45,
            NameMatch::Reordered => 40,
            NameMatch::Contained => 35,
            NameMatch::Similar => 20,
            NameMatch::Different => 0,
        }
    }
    fn code(self) -> Option<&'static str> {
        match self {
            NameMatch::Same => Some("same_name"),
            NameMatch::Reordered => Some("name_reordered"),
            NameMatch::Contained => Some("name_contained"),
            NameMatch::Similar => Some("similar_name"),
            NameMatch::Different => None,
        }
    }
}

/// At most one edit apart (words of 4 letters or more), or equal.
fn close(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    if a.len().min(b.len()) < 4 || a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (mut i, mut j, mut edits) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            i += 1;
            j += 1;
            continue;
        }
        edits += 1;
        if edits > 1 {
            return false;
        }
        match a.len().cmp(&b.len()) {
            std::cmp::Ordering::Greater => i += 1,
            std::cmp::Ordering::Less => j += 1,
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    edits + (a.len() - i) + (b.len() - j) <= 1
}

/// Compares two names given as folded words.
pub fn compare_names(a: &[String], b: &[String]) -> NameMatch {
    if a.is_empty() || b.is_empty() {
        return NameMatch::Different;
    }
    if a == b {
        return NameMatch::Same;
    }
    let (mut sa, mut sb) = (a.to_vec(), b.to_vec());
    sa.sort();
    sb.sort();
    if sa == sb {
        return NameMatch::Reordered;
    }
    let (short, long) = if sa.len() <= sb.len() {
        (&sa, &sb)
    } else {
        (&sb, &sa)
    };
    let mut pool = long.clone();
    let mut shared = 0;
    for w in short {
        if let Some(i) = pool.iter().position(|x| close(x, w)) {
            pool.swap_remove(i);
            shared += 1;
        }
    }
    if shared == short.len() && short.len() >= 2 {
        // Every word of one name is in the other ("Nguyễn An" in "Nguyễn Văn An"),
        // or one word is mistyped.
        return if short.len() == long.len() {
            NameMatch::Reordered
        } else {
            NameMatch::Contained
        };
    }
    // The given name (last word, or first when written given-name first) shared,
    // and at least half of the words.
    let given = a.last().is_some_and(|g| b.contains(g)) || b.last().is_some_and(|g| a.contains(g));
    if given && shared * 2 >= long.len() && shared >= 2 {
        NameMatch::Similar
    } else {
        NameMatch::Different
    }
}

fn reason(code: &str, value: Option<String>) -> DuplicateReason {
    DuplicateReason {
        code: code.into(),
        value,
        text: String::new(),
    }
}

/// Scores one pair; `None` when it is not worth keeping.
pub fn score(x: &Record, y: &Record) -> Option<Found> {
    let mut reasons = Vec::new();
    let mut points = 0;
    let mut exact = false;
    if let Some(p) = x.phones.iter().find(|p| y.phones.contains(p)) {
        points += 40;
        exact = true;
        reasons.push(reason("same_phone", Some(p.clone())));
    }
    if let Some(e) = x.emails.iter().find(|e| y.emails.contains(e)) {
        points += if exact { 10 } else { 40 };
        exact = true;
        reasons.push(reason("same_email", Some(e.clone())));
    }
    let same_phone = reasons.iter().any(|r| r.code == "same_phone");
    if !same_phone {
        let shared_suffix = x
            .phones
            .iter()
            .filter_map(|p| suffix(p))
            .find(|s| y.phones.iter().filter_map(|p| suffix(p)).any(|t| t == *s));
        if let Some(s) = shared_suffix {
            points += 25;
            reasons.push(reason("phone_suffix", Some(s.to_string())));
        } else if !x.phones.is_empty() && !y.phones.is_empty() {
            // Two unrelated mobile numbers speak against one person: people keep
            // their number far more often than they share an e-mail's name.
            points -= 20;
            reasons.push(reason("different_phones", None));
        }
    }
    if !exact {
        let shared_local = x.emails.iter().filter_map(|e| local_part(e)).find(|l| {
            y.emails
                .iter()
                .filter_map(|e| local_part(e))
                .any(|m| m == *l)
        });
        if let Some(l) = shared_local {
            points += 25;
            reasons.push(reason("email_local", Some(l.to_string())));
        }
    }
    let name = compare_names(&x.words, &y.words);
    if let Some(code) = name.code() {
        points += name.points();
        reasons.insert(0, reason(code, None));
    }
    if x.birthday.is_some() && x.birthday == y.birthday {
        points += 15;
        reasons.push(reason("same_birthday", None));
    }
    if x.street.is_some() && x.ward.is_some() && x.ward == y.ward && x.street == y.street {
        points += 15;
        reasons.push(reason("same_address", None));
    }
    let points = points.min(100);
    if !exact && (points < POSSIBLE || name == NameMatch::Different) {
        return None;
    }
    if exact && points < EXACT_FLOOR {
        return None;
    }
    let (a, b) = if x.id < y.id {
        (x.id, y.id)
    } else {
        (y.id, x.id)
    };
    Some(Found {
        a,
        b,
        score: points,
        exact,
        reasons,
    })
}

/// Every pair worth keeping among `records`, best score first.
pub fn detect(records: &[Record]) -> Vec<Found> {
    let mut entries: Vec<(u64, u32)> = Vec::with_capacity(records.len() * 4);
    let mut buf = Vec::new();
    for (i, r) in records.iter().enumerate() {
        buf.clear();
        keys(r, &mut buf);
        buf.sort_unstable();
        buf.dedup();
        let Ok(i) = u32::try_from(i) else { break };
        entries.extend(buf.iter().map(|k| (*k, i)));
    }
    entries.sort_unstable();
    let mut candidates: Vec<(u32, u32)> = Vec::new();
    let mut start = 0;
    while start < entries.len() {
        let k = entries[start].0;
        let end = entries[start..]
            .iter()
            .position(|e| e.0 != k)
            .map_or(entries.len(), |n| start + n);
        let cap = if exact_key(k) {
            MAX_EXACT_GROUP
        } else {
            MAX_WEAK_GROUP
        };
        let group = &entries[start..end];
        if group.len() > 1 && group.len() <= cap {
            for (n, x) in group.iter().enumerate() {
                for y in &group[n + 1..] {
                    candidates.push((x.1.min(y.1), x.1.max(y.1)));
                }
            }
        }
        start = end;
    }
    drop(entries);
    candidates.sort_unstable();
    candidates.dedup();
    let mut out: Vec<Found> = candidates
        .into_iter()
        .filter_map(|(i, j)| {
            let (x, y) = (records.get(i as usize)?, records.get(j as usize)?);
            score(x, y)
        })
        .collect();
    out.sort_by(|p, q| {
        q.score
            .cmp(&p.score)
            .then(p.a.cmp(&q.a))
            .then(p.b.cmp(&q.b))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(id: i64, name: &str, phones: &[&str], emails: &[&str]) -> Record {
        Record::of(khach_db::duplicates::Person {
            id,
            name: name.into(),
            phones: phones.iter().map(|s| s.to_string()).collect(),
            emails: emails.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        })
    }

    fn words(s: &str) -> Vec<String> {
        khach_types::fold(s).split(' ').map(String::from).collect()
    }

    #[test]
    fn names_compare_without_diacritics_order_or_middle_names() {
        let n = |a: &str, b: &str| compare_names(&words(a), &words(b));
        assert_eq!(n("Nguyễn Văn An", "NGUYEN VAN AN"), NameMatch::Same);
        assert_eq!(n("Nguyễn Văn An", "An Nguyễn Văn"), NameMatch::Reordered);
        assert_eq!(n("Nguyễn Văn An", "Nguyễn An"), NameMatch::Contained);
        assert_eq!(n("Nguyễn Văn Thành", "Nguyen Van Thanh"), NameMatch::Same);
        assert_eq!(
            n("Nguyễn Văn Thành", "Nguyen Van Thamh"),
            NameMatch::Reordered
        );
        assert_eq!(n("Trần Thị Lan", "Nguyễn Văn An"), NameMatch::Different);
        assert_eq!(n("Trần Thị Lan", "Lê Thị Lan"), NameMatch::Similar);
        assert_eq!(n("An", "Bình"), NameMatch::Different);
    }

    #[test]
    fn same_phone_and_similar_name_is_likely_and_different_people_are_not() {
        let a = rec(1, "Nguyễn Văn An", &["+84912345678"], &[]);
        let b = rec(2, "Nguyen An", &["+84912345678"], &["an@x.vn"]);
        let c = rec(3, "Trần Thị Lan", &["+84912345678"], &[]);
        let d = rec(4, "Lê Văn Bình", &["+84987654321"], &[]);
        let found = detect(&[a, b, c, d]);
        let ab = found.iter().find(|f| (f.a, f.b) == (1, 2)).unwrap();
        assert!(ab.exact && ab.level() == "likely", "{ab:?}");
        assert_eq!(ab.reasons[0].code, "name_contained");
        assert_eq!(ab.reasons[1].value.as_deref(), Some("+84912345678"));
        // A shared phone with a different name: shown as exact, not likely.
        let ac = found.iter().find(|f| (f.a, f.b) == (1, 3)).unwrap();
        assert_eq!(ac.level(), "possible");
        assert!(!found.iter().any(|f| f.a == 4 || f.b == 4));
    }

    #[test]
    fn likely_without_a_shared_contact_needs_the_name_and_more() {
        let mut a = rec(
            1,
            "Phạm Minh Tuấn",
            &["+84912345678"],
            &["tuan.pham88@gmail.com"],
        );
        let mut b = rec(
            2,
            "Pham Minh Tuan",
            &["+84392345678"],
            &["tuan.pham88@yahoo.com"],
        );
        let found = detect(&[a.clone(), b.clone()]);
        assert_eq!(found.len(), 1);
        assert!(!found[0].exact);
        assert_eq!(found[0].score, 95, "{:?}", found[0]);
        // Same name and birthday only: possible, not likely.
        let day = chrono::NaiveDate::from_ymd_opt(1990, 5, 1);
        a.birthday = day;
        b.birthday = day;
        a.phones.clear();
        a.emails.clear();
        let found = detect(&[a, b]);
        assert_eq!(found[0].score, 60);
        assert_eq!(found[0].level(), "possible");
    }

    #[test]
    fn crowded_keys_are_skipped() {
        let many: Vec<Record> = (0..150)
            .map(|i| rec(i, &format!("Người {i}"), &["+842873001234"], &[]))
            .collect();
        assert!(detect(&many).is_empty());
    }
}
