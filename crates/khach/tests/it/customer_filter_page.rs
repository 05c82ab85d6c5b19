//! The filter builder of the list page with AND/OR groups, read from the query
//! string: (name contains "van" AND at stage X) OR (tagged Y), saved as a filter and
//! applied again.

use crate::customer_kit::{create, expect};
use khach_testkit::{TestApp, backends};
use serde_json::json;

#[tokio::test]
async fn groups_joined_by_any_of_rules_joined_by_all() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.as_str();
        let stage = expect(
            &app,
            k,
            "POST",
            "/api/v1/stages",
            Some(json!({"name": "Hẹn gặp"})),
            201,
        )
        .await;
        let sid = stage["id"].as_i64().unwrap();
        create(&app, k, json!({"name": "Trần Văn An", "stage_id": sid})).await;
        create(&app, k, json!({"name": "Lê Văn Lan"})).await; // contains "van", wrong stage
        create(&app, k, json!({"name": "Phạm Minh", "tags": ["Sỉ"]})).await; // the other group
        create(&app, k, json!({"name": "Đỗ Hùng", "stage_id": sid})).await; // right stage, no "an"
        let tags = expect(&app, k, "GET", "/api/v1/tags", None, 200).await;
        let tag = tags["items"][0]["id"].as_i64().unwrap();
        let client = app.login("admin", &app.admin.password).await;
        let query = format!(
            "match=any&gm=all&gm=all\
             &rf=name&ro=contains&rv=van&rg=1\
             &rf=stage&ro=in&rv={sid}&rg=1\
             &rf=tags&ro=has_any&rv={tag}&rg=2"
        );
        let (st, html) = app.page(&client, &format!("/customers?{query}")).await;
        assert_eq!(st, 200, "{b:?}");
        for (name, shown) in [
            ("Trần Văn An", true),
            ("Phạm Minh", true),
            ("Lê Văn Lan", false),
            ("Đỗ Hùng", false),
        ] {
            assert_eq!(html.contains(name), shown, "{b:?} {name}");
        }
        // Both groups come back in the form, each with its rows, plus an empty one.
        assert!(
            html.contains("id=\"filter-group-2\"") && html.contains("id=\"filter-group-3\""),
            "{b:?}"
        );
        // Saved, the filter keeps its groups.
        let form: Vec<(&str, String)> = vec![
            ("name", "An ở Hẹn gặp, hoặc khách sỉ".into()),
            ("match", "any".into()),
            ("gm", "all".into()),
            ("gm", "all".into()),
            ("rf", "name".into()),
            ("ro", "contains".into()),
            ("rv", "van".into()),
            ("rg", "1".into()),
            ("rf", "stage".into()),
            ("ro", "in".into()),
            ("rv", sid.to_string()),
            ("rg", "1".into()),
            ("rf", "tags".into()),
            ("ro", "has_any".into()),
            ("rv", tag.to_string()),
            ("rg", "2".into()),
        ];
        let form: Vec<(&str, &str)> = form.iter().map(|(a, b)| (*a, b.as_str())).collect();
        let r = app.post_form(&client, "/customers/filters", &form).await;
        assert_eq!(r.status().as_u16(), 303, "{b:?}");
        let saved = expect(&app, k, "GET", "/api/v1/saved-filters", None, 200).await;
        let f = &saved["items"][0];
        assert_eq!(f["definition"]["groups"][0]["op"], "or", "{b:?} {f}");
        assert_eq!(
            f["definition"]["groups"][0]["groups"]
                .as_array()
                .unwrap()
                .len(),
            2,
            "{f}"
        );
        let list = expect(
            &app,
            k,
            "GET",
            &format!("/api/v1/customers?filter_id={}", f["id"]),
            None,
            200,
        )
        .await;
        assert_eq!(list["total"], 2, "{b:?} {list}");
        app.stop().await;
    }
}
