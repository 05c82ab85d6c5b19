//! The customer list: quick search (diacritics optional, phone fragments, codes,
//! e-mails, LIKE wildcards as text) and keyset paging in every order.

use crate::customer_kit::{create, enc, expect, ids, names};
use khach_testkit::{TestApp, backends};
use serde_json::json;
use std::collections::BTreeSet;

#[tokio::test]
async fn quick_search_finds_names_without_diacritics_phones_codes_and_emails() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.as_str();
        create(&app, k, json!({"name": "Nguyễn Văn An", "phones": ["0912 345 678"], "emails": ["an.nguyen@gmail.com"]})).await;
        create(&app, k, json!({"name": "Nguyen Van An"})).await;
        create(&app, k, json!({"name": "Nguyễn Văn Anh"})).await;
        create(
            &app,
            k,
            json!({"name": "Trần Thị Bình", "code": "VIP-77", "phones": ["0283 822 1234"]}),
        )
        .await;
        create(&app, k, json!({"name": "Giảm 50% cho khách_lẻ"})).await;
        let find = |q: &str| {
            let q = q.to_string();
            let app = &app;
            async move {
                let (s, v) = app
                    .call(
                        Some(k),
                        "GET",
                        &format!("/api/v1/customers?q={}", enc(&q)),
                        None,
                    )
                    .await;
                assert_eq!(s, 200, "{q}: {v}");
                v
            }
        };
        let v = find("nguyen van an").await;
        let all: BTreeSet<String> = names(&v).into_iter().collect();
        let want: BTreeSet<String> = ["Nguyen Van An", "Nguyễn Văn An", "Nguyễn Văn Anh"]
            .map(String::from)
            .into();
        assert_eq!(all, want, "{b:?}: {v}");
        assert_eq!(v["total"], 3, "{b:?}: {v}");
        assert_eq!(
            names(&v)[0],
            "Nguyen Van An",
            "{b:?}: the match as typed comes first"
        );
        let v = find("Nguyễn Văn An").await;
        assert_eq!(v["total"], 3, "{b:?}: {v}");
        let first_two: BTreeSet<String> = names(&v).into_iter().take(2).collect();
        assert_eq!(
            first_two,
            ["Nguyễn Văn An".to_string(), "Nguyễn Văn Anh".to_string()].into(),
            "{b:?}: exact diacritics first: {v}"
        );
        for (q, want) in [
            ("2345", "Nguyễn Văn An"),
            ("091 234", "Nguyễn Văn An"),
            ("84912", "Nguyễn Văn An"),
            ("8221234", "Trần Thị Bình"),
            ("vip-77", "Trần Thị Bình"),
            ("VIP-77", "Trần Thị Bình"),
            ("an.nguyen", "Nguyễn Văn An"),
            ("AN.NGUYEN@gmail.com", "Nguyễn Văn An"),
            ("tran thi binh", "Trần Thị Bình"),
            ("50%", "Giảm 50% cho khách_lẻ"),
            ("h_l", "Giảm 50% cho khách_lẻ"),
        ] {
            let v = find(q).await;
            assert_eq!(names(&v), [want], "{b:?} q={q}: {v}");
            assert_eq!(v["total"], 1);
        }
        // LIKE wildcards and quotes are text, not patterns.
        for q in [
            "%",
            "_",
            "%%%",
            "\"",
            "' OR 1=1 --",
            "\" OR \"\"=\"",
            "an%",
            "n_uyen",
        ] {
            let v = find(q).await;
            let hits = names(&v);
            assert!(
                hits.iter().all(|n| n.contains('%') || n.contains('_')),
                "{b:?} q={q}: {v}"
            );
        }
        let v = find("").await;
        assert_eq!(v["total"], 5);
        app.stop().await;
    }
}

/// Walks every page of `path` (which has `?…&limit=`), returning the ids in order.
async fn walk(app: &TestApp, key: &str, path: &str) -> Vec<i64> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..50 {
        let p = match &cursor {
            Some(c) => format!("{path}&cursor={c}"),
            None => path.to_string(),
        };
        let v = expect(app, key, "GET", &p, None, 200).await;
        out.extend(ids(&v));
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return out,
        }
    }
    panic!("paging did not end: {path}");
}

#[tokio::test]
async fn keyset_paging_returns_every_row_once_in_every_order() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let k = app.admin.key.as_str();
        let mut all = BTreeSet::new();
        for i in 0..23 {
            // Several share a creation time and a name: ties are broken by id.
            if i % 4 == 0 {
                app.clock.advance(chrono::Duration::seconds(1));
            }
            let name = format!("Lê Thị {}", ["Hoa", "Mai", "Lan"][i % 3]);
            all.insert(
                create(
                    &app,
                    k,
                    json!({"name": name, "code": format!("C{:03}", (i * 7) % 23)}),
                )
                .await["id"]
                    .as_i64()
                    .unwrap(),
            );
        }
        for sort in [
            "",
            "&sort=created_at",
            "&sort=-updated_at",
            "&sort=name",
            "&sort=-name",
            "&sort=code",
            "&sort=-code",
        ] {
            let got = walk(&app, k, &format!("/api/v1/customers?limit=5{sort}")).await;
            assert_eq!(got.len(), 23, "{b:?} {sort}: {got:?}");
            assert_eq!(
                got.iter().copied().collect::<BTreeSet<_>>(),
                all,
                "{b:?} {sort}"
            );
        }
        let codes: Vec<String> = {
            let v = expect(
                &app,
                k,
                "GET",
                "/api/v1/customers?limit=200&sort=-code",
                None,
                200,
            )
            .await;
            crate::customer_kit::field(&v, "code")
        };
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.reverse();
        assert_eq!(codes, sorted);
        // Search results page by rank too.
        let got = walk(&app, k, "/api/v1/customers?q=le%20thi&limit=4").await;
        assert_eq!(got.len(), 23, "{b:?}");
        let v = expect(&app, k, "GET", "/api/v1/customers?q=lan&limit=2", None, 200).await;
        assert_eq!(
            (v["total"].as_u64(), v["items"].as_array().unwrap().len()),
            (Some(7), 2)
        );
        // The filter builder pages the same way.
        let mut seen = Vec::new();
        let mut body = json!({"filter": {"rules": [{"field": "name", "op": "contains", "value": "thi"}]}, "limit": 6, "sort": "name"});
        loop {
            let v = expect(
                &app,
                k,
                "POST",
                "/api/v1/customers/query",
                Some(body.clone()),
                200,
            )
            .await;
            assert_eq!(v["total"], 23);
            seen.extend(ids(&v));
            match v["next_cursor"].as_str() {
                Some(c) => body["cursor"] = json!(c),
                None => break,
            }
        }
        assert_eq!(seen.iter().copied().collect::<BTreeSet<_>>(), all);
        assert_eq!(seen.len(), 23);
        for bad in [
            "?limit=0",
            "?limit=201",
            "?sort=password",
            "?cursor=zz",
            "?cursor=7c7c",
        ] {
            let (s, v) = app
                .call(Some(k), "GET", &format!("/api/v1/customers{bad}"), None)
                .await;
            assert_eq!(s, 422, "{b:?} {bad}: {v}");
        }
        app.stop().await;
    }
}
