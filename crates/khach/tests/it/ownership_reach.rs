//! The data scope of a person who supports or views many customers: up to 5,000 the
//! reached customers are listed by id, beyond that a subquery does it. Both paths
//! must show exactly the same customers in the list, the count, search and the
//! customer page.

use crate::customer_kit::expect;
use khach_core::Ctx;
use khach_core::customers::seed::{Generated, insert_generated};
use khach_testkit::{TestApp, backends};
use khach_types::Origin;
use serde_json::json;

async fn seed(app: &TestApp, n: usize, prefix: &str) -> Vec<i64> {
    let ctx = Ctx::system(Origin::Cli, app.core.now());
    let before = khach_core::customers::seed::max_id(&app.core)
        .await
        .unwrap();
    let rows = (0..n).map(|i| Generated {
        name: format!("{prefix} {i}"),
        gender: None,
        birthday: None,
        phones: vec![],
        emails: vec![],
        province_code: None,
        ward_code: None,
        street: None,
        stage: None,
        source: None,
        tags: vec![],
        notes: None,
        custom: Default::default(),
        created_at: app.core.now(),
    });
    insert_generated(&app.core, &ctx, rows, 5000).await.unwrap();
    let after = khach_core::customers::seed::max_id(&app.core)
        .await
        .unwrap();
    ((before + 1)..=after).collect()
}

async fn count(app: &TestApp, key: &str) -> u64 {
    let v = expect(
        app,
        key,
        "POST",
        "/api/v1/customers/query",
        Some(json!({"limit": 1})),
        200,
    )
    .await;
    v["total"]
        .as_u64()
        .unwrap_or_else(|| panic!("no total in {v}"))
}

#[tokio::test]
async fn many_viewed_customers_are_reached_through_the_subquery_exactly_as_few_are() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let many = app.make_principal("xem.nhieu", "care", None).await;
        let few = app.make_principal("xem.it", "care", None).await;
        let viewed = seed(&app, 5_050, "Khách được xem").await;
        let others = seed(&app, 20, "Khách khác").await;
        for chunk in viewed.chunks(5_000) {
            expect(
                &app,
                &app.admin.key,
                "POST",
                "/api/v1/customers/members",
                Some(json!({"ids": chunk, "add_viewers": [many.account_id]})),
                200,
            )
            .await;
        }
        expect(
            &app,
            &app.admin.key,
            "POST",
            "/api/v1/customers/members",
            Some(json!({"ids": &viewed[..3], "add_viewers": [few.account_id]})),
            200,
        )
        .await;

        assert_eq!(count(&app, &many.key).await, 5_050, "{b:?}");
        assert_eq!(count(&app, &few.key).await, 3, "{b:?}");
        // Search, the page of one customer, and one outside the reach.
        for (who, q, want) in [
            (&many.key, "Khách khác", 0),
            (&app.admin.key, "Khách khác", 20),
            (&many.key, "Khách được xem 5049", 1),
            (&few.key, "Khách được xem 5049", 0),
        ] {
            let found = expect(
                &app,
                who,
                "POST",
                "/api/v1/customers/query",
                Some(json!({"q": q, "limit": 50})),
                200,
            )
            .await;
            assert_eq!(found["total"], want, "{b:?} {q}: {found}");
        }
        for (who, id, want) in [
            (&many.key, viewed[5_049], 200),
            (&many.key, others[0], 404),
            (&few.key, viewed[2], 200),
            (&few.key, viewed[3], 404),
        ] {
            let (s, _) = app
                .call(Some(who), "GET", &format!("/api/v1/customers/{id}"), None)
                .await;
            assert_eq!(s, want, "{b:?} customer {id}");
        }
        // A viewer may look, not change, on both paths.
        let (s, _) = app
            .call(
                Some(&many.key),
                "PATCH",
                &format!("/api/v1/customers/{}", viewed[10]),
                Some(json!({"notes": "x"})),
            )
            .await;
        assert_eq!(s, 403, "{b:?}");
        app.stop().await;
    }
}
