//! The duplicates endpoints of the access matrix: the review queue, decisions and
//! the detection job need the customer merge permission (Admin, Manager); a
//! decision also needs edit rights on both customers of the pair (`{pair}` is two
//! customers of the Sales person, in the Manager's department). The same-phone list
//! of a customer needs only to see it. The scan row comes last: the run it starts
//! writes in the background.

use super::{ADMIN_MGR, Case, P, World};
use serde_json::json;

const REACH: &[P] = &[P::Admin, P::Manager, P::Sales];
const CARE: &[P] = &[P::Care];

pub(super) fn policy() -> Vec<Case> {
    let c = |method, path, body, allowed, ok, hidden| Case {
        method,
        path,
        body,
        allowed,
        ok,
        hidden,
    };
    vec![
        c("GET", "/api/v1/duplicates", None, ADMIN_MGR, 200, &[]),
        c("GET", "/api/v1/duplicates/scan", None, ADMIN_MGR, 200, &[]),
        c(
            "POST",
            "/api/v1/duplicates/{pair}/decision",
            Some(|| json!({"decision": "not_duplicate"})),
            ADMIN_MGR,
            200,
            &[],
        ),
        c(
            "GET",
            "/api/v1/customers/{customer}/duplicates",
            None,
            REACH,
            200,
            CARE,
        ),
        c("POST", "/api/v1/duplicates/scan", None, ADMIN_MGR, 202, &[]),
    ]
}

pub(super) fn as_documented(path: &str) -> String {
    path.replace("{pair}", "{id}")
}

/// A fresh detected pair for `{pair}`: two customers of the Sales person with one
/// phone (the second through a sub-contact), found by a detection run.
pub(super) async fn fill(w: &World, path: &mut String, n: usize) {
    if !path.contains("{pair}") {
        return;
    }
    let phone = format!("09{:08}", 10_000_000 + n);
    let mut ids = Vec::new();
    for (i, body) in [
        json!({"name": format!("Trùng Lặp {n}"), "phones": [phone]}),
        json!({"name": format!("Trung Lap {n}")}),
    ]
    .into_iter()
    .enumerate()
    {
        let (s, v) = w
            .app
            .call(w.key(P::Sales), "POST", "/api/v1/customers", Some(body))
            .await;
        assert_eq!(s, 201, "{v}");
        let id = v["id"].as_i64().unwrap();
        if i == 1 {
            let (s, v) = w
                .app
                .call(
                    w.key(P::Sales),
                    "POST",
                    &format!("/api/v1/customers/{id}/contacts"),
                    Some(json!({"name": "Người nhà", "phone": phone})),
                )
                .await;
            assert_eq!(s, 201, "{v}");
        }
        ids.push(id);
    }
    let core = &w.app.core;
    let ctx = khach_core::Ctx::system(khach_types::Origin::Cli, core.now());
    let (scan, _) = khach_core::duplicates::start_scan(core, &ctx)
        .await
        .unwrap();
    khach_core::duplicates::run_scan(core, scan).await.unwrap();
    let q = khach_types::api::DuplicateQuery {
        limit: Some(200),
        ..Default::default()
    };
    let list = khach_core::duplicates::list(core, &ctx, &q).await.unwrap();
    let pair = list
        .items
        .iter()
        .find(|p| p.a.id == ids[0] && p.b.id == ids[1])
        .expect("the pair is found");
    *path = path.replace("{pair}", &pair.id.to_string());
}
