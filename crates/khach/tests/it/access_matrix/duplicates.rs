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
        c(
            "POST",
            "/api/v1/customers/merge",
            Some(|| json!({"survivor_id": "{customer}", "merged_ids": ["{mergee}"]})),
            ADMIN_MGR,
            200,
            &[],
        ),
        c(
            "GET",
            "/api/v1/customers/{customer}/merges",
            None,
            REACH,
            200,
            CARE,
        ),
        c(
            "POST",
            "/api/v1/customers/merges/{merge}/undo",
            None,
            ADMIN_MGR,
            200,
            &[],
        ),
        c("POST", "/api/v1/duplicates/scan", None, ADMIN_MGR, 202, &[]),
    ]
}

pub(super) fn as_documented(path: &str) -> String {
    path.replace("{pair}", "{id}").replace("{merge}", "{id}")
}

async fn sales_customer(w: &World, name: String) -> i64 {
    let (s, v) = w
        .app
        .call(
            w.key(P::Sales),
            "POST",
            "/api/v1/customers",
            Some(json!({ "name": name })),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_i64().unwrap()
}

/// Fresh records: `{mergee}` (a second customer of the Sales person, to merge into
/// `{customer}`), `{merge}` (a merge of two of its customers), `{pair}` (a detected
/// pair of two of its customers with one phone, the second through a sub-contact).
pub(super) async fn fill(w: &World, path: &mut String, body: &mut Option<String>, n: usize) {
    if let Some(b) = body.as_mut()
        && b.contains("{mergee}")
    {
        let id = sales_customer(w, format!("Bản sao {n}")).await;
        *b = b.replace("\"{mergee}\"", &id.to_string());
    }
    if path.contains("{merge}") {
        let a = sales_customer(w, format!("Gộp A {n}")).await;
        let b = sales_customer(w, format!("Gộp B {n}")).await;
        let ctx = khach_core::Ctx::system(khach_types::Origin::Cli, w.app.core.now());
        let input = khach_types::api::MergeInput {
            survivor_id: a,
            merged_ids: vec![b],
            ..Default::default()
        };
        let done = khach_core::merge::merge(&w.app.core, &ctx, input)
            .await
            .unwrap();
        *path = path.replace("{merge}", &done.merge_id.unwrap().to_string());
    }
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
