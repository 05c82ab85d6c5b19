//! Import and export of customers through the REST API: encodings, matching,
//! partial overwrite, duplicates in the file, dry run, the error file, undo, and the
//! round trip export → import that must change nothing.

use base64::Engine;
use khach_testkit::{TestApp, backends};
use serde_json::{Value, json};

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Uploads `bytes` with `options` and waits for the run to end.
pub async fn import(app: &TestApp, key: &str, name: &str, bytes: &[u8], options: Value) -> Value {
    let (s, v) = app
        .call(
            Some(key),
            "POST",
            "/api/v1/imports",
            Some(json!({"file_name": name, "content_base64": b64(bytes), "options": options})),
        )
        .await;
    assert_eq!(s, 202, "{v}");
    wait(app, key, v["id"].as_i64().unwrap()).await
}

pub async fn wait(app: &TestApp, key: &str, id: i64) -> Value {
    for _ in 0..600 {
        let (s, v) = app
            .call(Some(key), "GET", &format!("/api/v1/imports/{id}"), None)
            .await;
        assert_eq!(s, 200, "{v}");
        if v["status"] != "queued" && v["status"] != "running" {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("import {id} did not finish");
}

fn counts(v: &Value) -> (u64, u64, u64, u64) {
    let c = &v["counts"];
    let n = |k: &str| c[k].as_u64().unwrap();
    (n("created"), n("updated"), n("skipped"), n("failed"))
}

const FILE: &str = "Họ và tên,Số điện thoại,Email,Ghi chú,Thẻ\n\
Nguyễn Thị Hồng Đào,0912 345 678,dao@example.vn,khách cũ,\"VIP, Hà Nội\"\n\
Trần Văn Bình,+84 987 654 321,,,\n\
,,,,\n\
Lê Minh,0912345678,,trùng số,\n\
Phạm Thu,12345,thu@example.vn,,\n\
Hoàng Nam,0388 111 222,nam@example.vn,,\n";

#[tokio::test]
async fn import_counts_reasons_error_file_reimport_and_undo() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let key = app.admin.key.clone();
        let opts = json!({"match_by": "phone", "on_match": "skip"});
        let v = import(&app, &key, "khach.csv", FILE.as_bytes(), opts.clone()).await;
        assert_eq!(v["status"], "done", "{b:?} {v}");
        assert_eq!(counts(&v), (3, 0, 1, 1), "{b:?} {v}");
        assert_eq!(v["counts"]["total"], 5);
        let id = v["id"].as_i64().unwrap();
        let (_, p) = app
            .call(
                Some(&key),
                "GET",
                &format!("/api/v1/imports/{id}/problems"),
                None,
            )
            .await;
        let items = p["items"].as_array().unwrap();
        assert_eq!(items[0]["row"], 4);
        assert_eq!(items[0]["reason"], "row.1: import-duplicate-in-file");
        assert_eq!(items[1]["row"], 5);
        assert!(items[1]["reason"].as_str().unwrap().starts_with("phones.0"));
        // The error file: the original rows and a reason column, importable again.
        let r = app
            .client()
            .get(app.url(&format!("/api/v1/imports/{id}/error-file")))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let text = r.text().await.unwrap();
        assert!(text.contains("Lý do / Reason"), "{text}");
        assert!(text.contains("Phạm Thu,12345,thu@example.vn"), "{text}");
        // Tags split on commas; the owner is the importer.
        let (_, list) = app
            .call(
                Some(&key),
                "GET",
                "/api/v1/customers?q=dao%40example.vn",
                None,
            )
            .await;
        let c = &list["items"][0];
        assert_eq!(c["tags"].as_array().unwrap().len(), 2, "{c}");
        assert_eq!(c["owner_id"], app.admin.account_id);
        // The same file again changes nothing.
        let before = app
            .fingerprint_of(&["customers", "customer_phones", "customer_tags"])
            .await;
        let again = import(&app, &key, "khach.csv", FILE.as_bytes(), opts.clone()).await;
        assert_eq!(counts(&again), (0, 0, 4, 1), "{b:?} {again}");
        assert_eq!(
            app.fingerprint_of(&["customers", "customer_phones", "customer_tags"])
                .await,
            before
        );
        // Undo the first run: what it created is gone.
        let (s, u) = app
            .call(
                Some(&key),
                "POST",
                &format!("/api/v1/imports/{id}/undo"),
                None,
            )
            .await;
        assert_eq!(s, 200, "{u}");
        assert_eq!(u["result"]["deleted"], 3);
        assert_eq!(u["import"]["status"], "undone");
        let (_, list) = app.call(Some(&key), "GET", "/api/v1/customers", None).await;
        assert_eq!(list["total"], 0, "{list}");
        app.stop().await;
    }
}

#[tokio::test]
async fn overwrite_only_present_columns_dry_run_and_undo_refusal() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let key = app.admin.key.clone();
        let (s, c) = app
            .call(
                Some(&key),
                "POST",
                "/api/v1/customers",
                Some(json!({"name": "Đỗ Hà", "phones": ["0903 000 111"], "notes": "cũ", "street": "12 Lý Thái Tổ"})),
            )
            .await;
        assert_eq!(s, 201, "{c}");
        let cid = c["id"].as_i64().unwrap();
        let file = "SĐT;Ghi chú;Tên\n0903000111;mới;\n0977 000 222;;Khách Mới\n";
        let opts = json!({"match_by": "phone", "on_match": "overwrite", "dry_run": true});
        // Dry run: the counts of a real run, and no customer touched.
        let before = app.fingerprint_of(&["customers", "customer_phones"]).await;
        let dry = import(&app, &key, "sua.csv", file.as_bytes(), opts).await;
        assert_eq!(counts(&dry), (1, 1, 0, 0), "{b:?} {dry}");
        assert_eq!(
            app.fingerprint_of(&["customers", "customer_phones"]).await,
            before
        );
        // Run for real what was checked.
        let (s, run) = app
            .call(
                Some(&key),
                "POST",
                &format!("/api/v1/imports/{}/run", dry["id"]),
                None,
            )
            .await;
        assert_eq!(s, 202, "{run}");
        let done = wait(&app, &key, run["id"].as_i64().unwrap()).await;
        assert_eq!(counts(&done), (1, 1, 0, 0), "{b:?} {done}");
        let (_, c) = app
            .call(Some(&key), "GET", &format!("/api/v1/customers/{cid}"), None)
            .await;
        assert_eq!(c["notes"], "mới");
        assert_eq!(c["name"], "Đỗ Hà", "a blank cell keeps the stored value");
        assert_eq!(
            c["address"]["street"], "12 Lý Thái Tổ",
            "absent column untouched"
        );
        // Changed since the import: undo leaves it and says so.
        app.clock.advance(chrono::Duration::seconds(1));
        let (s, _) = app
            .call(
                Some(&key),
                "PATCH",
                &format!("/api/v1/customers/{cid}"),
                Some(json!({"street": "1 Tràng Tiền"})),
            )
            .await;
        assert_eq!(s, 200);
        let (s, u) = app
            .call(
                Some(&key),
                "POST",
                &format!("/api/v1/imports/{}/undo", done["id"]),
                None,
            )
            .await;
        assert_eq!(s, 200, "{u}");
        assert_eq!(
            u["result"],
            json!({"deleted": 1, "restored": 0, "refused": 1})
        );
        let (_, c) = app
            .call(Some(&key), "GET", &format!("/api/v1/customers/{cid}"), None)
            .await;
        assert_eq!(c["notes"], "mới");
        app.stop().await;
    }
}

#[tokio::test]
async fn undo_restores_overwritten_values() {
    let app = TestApp::spawn(khach_testkit::Backend::Sqlite).await;
    let key = app.admin.key.clone();
    let (_, c) = app
        .call(
            Some(&key),
            "POST",
            "/api/v1/customers",
            Some(json!({"code": "KH-A1", "name": "Vũ An", "emails": ["an@x.vn"], "notes": "giữ"})),
        )
        .await;
    let cid = c["id"].as_i64().unwrap();
    let file = "Mã KH,Họ và tên,Email,Ghi chú\nKH-A1,Vũ Văn An,an2@x.vn,đổi\n";
    let v = import(
        &app,
        &key,
        "a.csv",
        file.as_bytes(),
        json!({"match_by": "code", "on_match": "overwrite"}),
    )
    .await;
    assert_eq!(counts(&v), (0, 1, 0, 0), "{v}");
    let (_, u) = app
        .call(
            Some(&key),
            "POST",
            &format!("/api/v1/imports/{}/undo", v["id"]),
            None,
        )
        .await;
    assert_eq!(u["result"]["restored"], 1, "{u}");
    let (_, c) = app
        .call(Some(&key), "GET", &format!("/api/v1/customers/{cid}"), None)
        .await;
    assert_eq!(
        (c["name"].as_str(), c["notes"].as_str()),
        (Some("Vũ An"), Some("giữ"))
    );
    assert_eq!(c["emails"], json!(["an@x.vn"]));
    app.stop().await;
}

#[tokio::test]
async fn export_then_import_changes_nothing_and_neutralises_formulas() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let key = app.admin.key.clone();
        for (name, notes, phone) in [
            ("=HYPERLINK(\"x\")", "+1 gọi lại", "0912 000 001"),
            ("@Lan", "-trừ", "0912 000 002"),
            ("Nguyễn Ánh", "\tthụt", "0912 000 003"),
        ] {
            let (s, v) = app
                .call(
                    Some(&key),
                    "POST",
                    "/api/v1/customers",
                    Some(json!({"name": name, "notes": notes, "phones": [phone], "tags": ["VIP", "Hà Nội"], "gender": "female"})),
                )
                .await;
            assert_eq!(s, 201, "{v}");
        }
        for format in ["csv", "xlsx"] {
            let r = app
                .client()
                .post(app.url("/api/v1/exports"))
                .bearer_auth(&key)
                .json(&json!({"format": format}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            let bytes = r.bytes().await.unwrap().to_vec();
            if format == "csv" {
                let text = String::from_utf8(bytes.clone()).unwrap();
                assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
                assert!(
                    text.contains("'@Lan") && text.contains("'+1 gọi lại"),
                    "{text}"
                );
            }
            let before = app
                .fingerprint_of(&[
                    "customers",
                    "customer_phones",
                    "customer_emails",
                    "customer_tags",
                ])
                .await;
            let v = import(
                &app,
                &key,
                &format!("x.{format}"),
                &bytes,
                json!({"match_by": "code", "on_match": "overwrite"}),
            )
            .await;
            assert_eq!(counts(&v), (0, 0, 3, 0), "{b:?} {format} {v}");
            assert_eq!(
                app.fingerprint_of(&[
                    "customers",
                    "customer_phones",
                    "customer_emails",
                    "customer_tags"
                ])
                .await,
                before,
                "{b:?} {format}"
            );
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn export_needs_the_permission_and_keeps_masks() {
    let app = TestApp::spawn(khach_testkit::Backend::Sqlite).await;
    let care = app.make_principal("care9", "care", None).await;
    let (s, _) = app
        .call(Some(&care.key), "POST", "/api/v1/exports", Some(json!({})))
        .await;
    assert_eq!(s, 403);
    let (s, v) = app
        .call(
            Some(&care.key),
            "POST",
            "/api/v1/imports/preview",
            Some(json!({"file_name": "a.csv", "content_base64": b64(b"a\n1\n")})),
        )
        .await;
    assert_eq!(s, 403, "{v}");
    // A role that sees contacts masked exports them masked.
    let perms = json!({"customers": ["view", "export"]});
    let masked =
        crate::customer_kit::with_role(&app, "tele9", "Telesale ẩn số", perms, "all", true).await;
    let (s, _) = app
        .call(
            Some(&app.admin.key),
            "POST",
            "/api/v1/customers",
            Some(json!({"name": "Mai", "phones": ["0912 345 678"], "emails": ["mai.nguyen@example.vn"]})),
        )
        .await;
    assert_eq!(s, 201);
    let r = app
        .client()
        .post(app.url("/api/v1/exports"))
        .bearer_auth(&masked.key)
        .json(&json!({"columns": ["name", "phones", "emails"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(text.contains("Mai"), "{text}");
    assert!(
        !text.contains("345 678") && !text.contains("mai.nguyen@"),
        "{text}"
    );
    app.stop().await;
}

/// A small Windows-1258 file as Vietnamese Excel saves it (tone marks combining).
pub fn cp1258(s: &str) -> Vec<u8> {
    use unicode_normalization::UnicodeNormalization;
    let enc = encoding_rs::WINDOWS_1258;
    let fits = |c: char| {
        let mut b = [0u8; 4];
        !enc.encode(c.encode_utf8(&mut b)).2
    };
    let tone = |c: char| matches!(c, '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}');
    let mut out = String::new();
    for c in s.nfc() {
        if fits(c) {
            out.push(c);
            continue;
        }
        // Base letter with its vowel marks precomposed, then the tone mark.
        let d: Vec<char> = std::iter::once(c).nfd().collect();
        let mut base = d[0];
        for m in d[1..].iter().filter(|m| !tone(**m)) {
            base = unicode_normalization::char::compose(base, *m).unwrap_or(base);
        }
        out.push(base);
        out.extend(d[1..].iter().filter(|m| tone(**m)));
    }
    enc.encode(&out).0.into_owned()
}

#[tokio::test]
async fn legacy_encodings_are_read_as_nfc() {
    let app = TestApp::spawn(khach_testkit::Backend::Sqlite).await;
    let key = app.admin.key.clone();
    let text = "Tên\tĐiện thoại\r\nNguyễn Thị Hồng Đào\t0912345679\r\n";
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    for (bytes, enc) in [
        (
            cp1258("Tên;Điện thoại\nNguyễn Thị Hồng Đào;0912345679\n"),
            "windows-1258",
        ),
        (utf16, "utf-16"),
    ] {
        let (s, p) = app
            .call(
                Some(&key),
                "POST",
                "/api/v1/imports/preview",
                Some(json!({"file_name": "a.csv", "content_base64": b64(&bytes)})),
            )
            .await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(p["encoding"], enc);
        assert_eq!(p["rows"][0][0], "Nguyễn Thị Hồng Đào");
        assert_eq!(p["columns"][1]["field"], "phone", "{p}");
    }
    app.stop().await;
}

/// Polls a page until it contains `needle`.
async fn page_until(app: &TestApp, c: &reqwest::Client, path: &str, needle: &str) -> String {
    for _ in 0..200 {
        let (s, body) = app.page(c, path).await;
        assert_eq!(s, 200, "{body}");
        if body.contains(needle) {
            return body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{path} never showed {needle}");
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn wizard_pages_upload_check_run_undo_and_export() {
    let app = TestApp::spawn(khach_testkit::Backend::Sqlite).await;
    let admin = app.make_principal("quan.ly2", "admin", None).await;
    let c = app.login("quan.ly2", &admin.password).await;
    let file = cp1258("Họ và tên;Số điện thoại\nNguyễn Thị Hồng Đào;0912 345 678\nLỗi;123\n");
    let mut body = b"--XbOuNd\r\nContent-Disposition: form-data; name=\"file\"; filename=\"k.csv\"\r\nContent-Type: text/csv\r\n\r\n".to_vec();
    body.extend(&file);
    body.extend(b"\r\n--XbOuNd--\r\n");
    let r = c
        .post(app.url("/imports/upload"))
        .header("content-type", "multipart/form-data; boundary=XbOuNd")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let setup = location(&r);
    let (s, page) = app.page(&c, &setup).await;
    assert_eq!(s, 200);
    assert!(
        page.contains("windows-1258") && page.contains("Nguyễn Thị Hồng Đào"),
        "{page}"
    );
    let r = app
        .post_form(
            &c,
            &setup,
            &[
                ("match_by", "phone"),
                ("on_match", "skip"),
                ("owner_mode", "mine"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let run = location(&r);
    let page = page_until(&app, &c, &run, "id=\"import-run-real\"").await;
    assert!(page.contains("id=\"count-failed\">1<"), "{page}");
    let r = app.post_form(&c, &format!("{run}/run"), &[]).await;
    assert_eq!(r.status(), 303);
    let real = location(&r);
    page_until(&app, &c, &real, "id=\"import-undo\"").await;
    let (_, l) = app
        .call(Some(&admin.key), "GET", "/api/v1/customers", None)
        .await;
    assert_eq!(l["items"][0]["name"], "Nguyễn Thị Hồng Đào");
    let r = c
        .get(app.url("/customers/export?format=xlsx&q="))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let r = app.post_form(&c, &format!("{real}/undo"), &[]).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("import-notice"));
    let (_, l) = app
        .call(Some(&admin.key), "GET", "/api/v1/customers", None)
        .await;
    assert_eq!(l["total"], 0);
    let (s, page) = app.page(&c, "/imports").await;
    assert_eq!(s, 200);
    assert!(page.contains("import-history"));
    app.stop().await;
}
