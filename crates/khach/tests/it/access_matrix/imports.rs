//! The import and export endpoints of the access matrix: importing needs
//! customers.import (Admin, Manager, Sales), exporting customers.export (the same);
//! a run is seen only by whoever started it and by administrators (others with the
//! permission are told "not found"). `{import}` is a finished run and `{checked}` a
//! dry run, both started by the Sales person.

use super::{Case, P, World};
use base64::Engine;
use serde_json::{Value, json};

const IMPORTERS: &[P] = &[P::Admin, P::Manager, P::Sales];
const OWNER: &[P] = &[P::Admin, P::Sales];
const OTHERS: &[P] = &[P::Manager];

fn upload(dry_run: bool) -> Value {
    let file = base64::engine::general_purpose::STANDARD.encode("Tên,SĐT\nKhách nhập,\n");
    json!({"file_name": "a.csv", "content_base64": file, "options": {"dry_run": dry_run}})
}

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
        c("GET", "/api/v1/imports", None, IMPORTERS, 200, &[]),
        c(
            "POST",
            "/api/v1/imports",
            Some(|| upload(true)),
            IMPORTERS,
            202,
            &[],
        ),
        c(
            "POST",
            "/api/v1/imports/preview",
            Some(|| upload(false)),
            IMPORTERS,
            200,
            &[],
        ),
        c("GET", "/api/v1/imports/{import}", None, OWNER, 200, OTHERS),
        c(
            "GET",
            "/api/v1/imports/{import}/problems",
            None,
            OWNER,
            200,
            OTHERS,
        ),
        c(
            "GET",
            "/api/v1/imports/{import}/error-file",
            None,
            OWNER,
            200,
            OTHERS,
        ),
        c(
            "POST",
            "/api/v1/imports/{import}/resume",
            None,
            OWNER,
            202,
            OTHERS,
        ),
        c(
            "POST",
            "/api/v1/imports/{checked}/run",
            None,
            OWNER,
            202,
            OTHERS,
        ),
        c(
            "POST",
            "/api/v1/imports/{import}/undo",
            None,
            OWNER,
            200,
            OTHERS,
        ),
        c(
            "POST",
            "/api/v1/exports",
            Some(|| json!({"columns": ["code", "name"]})),
            IMPORTERS,
            200,
            &[],
        ),
        c(
            "POST",
            "/api/v1/exports/jobs",
            // CSV: the database fingerprint reads stored files as text.
            Some(|| json!({"format": "csv"})),
            IMPORTERS,
            202,
            &[],
        ),
        c(
            "GET",
            "/api/v1/exports/jobs/{export}",
            None,
            OWNER,
            200,
            OTHERS,
        ),
        c(
            "GET",
            "/api/v1/exports/jobs/{export}/file",
            None,
            OWNER,
            200,
            OTHERS,
        ),
    ]
}

pub(super) fn as_documented(path: &str) -> String {
    path.replace("{import}", "{id}")
        .replace("{checked}", "{id}")
        .replace("{export}", "{id}")
}

/// Waits until no import runs in the background (a run started by an earlier case
/// would otherwise change the database under a later denial check).
async fn settle(w: &World) {
    use sea_orm::{ConnectionTrait, Statement};
    let c = w.app.core.db.conn();
    let sql = "SELECT CAST(COUNT(*) AS TEXT) AS n FROM imports WHERE status IN ('queued', 'running') \
               UNION ALL SELECT CAST(COUNT(*) AS TEXT) FROM exports WHERE status IN ('queued', 'running')";
    for _ in 0..400 {
        let rows = c
            .query_all_raw(Statement::from_string(c.get_database_backend(), sql))
            .await
            .unwrap();
        let busy = rows
            .iter()
            .any(|r| r.try_get_by_index::<String>(0).unwrap() != "0");
        if !busy {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("imports or exports still running");
}

/// Fills `{import}` and `{checked}` with fresh runs of the Sales person, `{export}`
/// with a finished export job of theirs.
pub(super) async fn fill(w: &World, path: &mut String, _body: &mut Option<String>, _n: usize) {
    if path.contains("{export}") {
        let (s, v) = w
            .app
            .call(
                w.key(P::Sales),
                "POST",
                "/api/v1/exports/jobs",
                Some(json!({})),
            )
            .await;
        assert_eq!(s, 202, "{v}");
        *path = path.replace("{export}", &v["id"].to_string());
    }
    for (ph, dry) in [("{import}", false), ("{checked}", true)] {
        if path.contains(ph) {
            let (s, v) = w
                .app
                .call(
                    w.key(P::Sales),
                    "POST",
                    "/api/v1/imports",
                    Some(upload(dry)),
                )
                .await;
            assert_eq!(s, 202, "{v}");
            *path = path.replace(ph, &v["id"].to_string());
        }
    }
    settle(w).await;
}
