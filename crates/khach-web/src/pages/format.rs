//! Display formats: dates as dd/MM/yyyy HH:mm in Vietnam time (UTC+7, no DST).

use chrono::{DateTime, FixedOffset, Utc};

pub fn datetime(t: &DateTime<Utc>) -> String {
    let vn = FixedOffset::east_opt(7 * 3600).map(|o| t.with_timezone(&o));
    match vn {
        Some(v) => v.format("%d/%m/%Y %H:%M").to_string(),
        None => t.format("%d/%m/%Y %H:%M").to_string(),
    }
}

pub fn opt_datetime(t: &Option<DateTime<Utc>>) -> String {
    t.as_ref().map(datetime).unwrap_or_default()
}
