//! `/api/docs`: a readable reference of the REST API, rendered on the server from the
//! same OpenAPI document that `/api/openapi.json` serves.

use super::{Layout, render};
use crate::i18n::t;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

struct Op {
    method: String,
    path: String,
    summary: String,
    description: String,
    params: Vec<(String, String, String, bool)>,
    body: Option<String>,
    responses: Vec<(String, String, String)>,
    anchor: String,
}

struct SchemaDoc {
    name: String,
    props: Vec<(String, String, bool, String)>,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct DocsPage {
    l: Layout,
    intro: String,
    ops: Vec<Op>,
    schemas: Vec<SchemaDoc>,
}

fn ref_name(v: &Value) -> Option<String> {
    v.get("$ref")
        .and_then(Value::as_str)
        .map(|r| r.rsplit('/').next().unwrap_or(r).to_string())
}

fn type_of(v: &Value) -> String {
    if let Some(r) = ref_name(v) {
        return r;
    }
    if let Some(one) = v.get("oneOf").and_then(Value::as_array) {
        return one.iter().map(type_of).collect::<Vec<_>>().join(" | ");
    }
    match v.get("type") {
        Some(Value::String(t)) if t == "array" => {
            format!("[{}]", v.get("items").map(type_of).unwrap_or_default())
        }
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "object".into(),
    }
}

pub async fn page(super::SiteLocale(locale): super::SiteLocale) -> Response {
    let doc = serde_json::to_value(crate::openapi::document()).unwrap_or(Value::Null);
    let mut ops = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            for method in ["get", "post", "patch", "put", "delete"] {
                let Some(op) = item.get(method) else { continue };
                let params = op["parameters"]
                    .as_array()
                    .map(|ps| {
                        ps.iter()
                            .map(|p| {
                                (
                                    p["name"].as_str().unwrap_or("").to_string(),
                                    p["in"].as_str().unwrap_or("").to_string(),
                                    type_of(&p["schema"]),
                                    p["required"].as_bool().unwrap_or(false),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let body = op["requestBody"]["content"]["application/json"]
                    .get("schema")
                    .map(type_of);
                let responses = op["responses"]
                    .as_object()
                    .map(|rs| {
                        rs.iter()
                            .map(|(code, r)| {
                                (
                                    code.clone(),
                                    r["description"].as_str().unwrap_or("").to_string(),
                                    r["content"]["application/json"]
                                        .get("schema")
                                        .map(type_of)
                                        .unwrap_or_default(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                ops.push(Op {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    summary: op["summary"].as_str().unwrap_or("").to_string(),
                    description: op["description"].as_str().unwrap_or("").to_string(),
                    params,
                    body,
                    responses,
                    anchor: op["operationId"].as_str().unwrap_or("").to_string(),
                });
            }
        }
    }
    let mut schemas = Vec::new();
    if let Some(all) = doc["components"]["schemas"].as_object() {
        for (name, s) in all {
            let required: Vec<&str> = s["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let props = s["properties"]
                .as_object()
                .map(|ps| {
                    ps.iter()
                        .map(|(k, v)| {
                            (
                                k.clone(),
                                type_of(v),
                                required.contains(&k.as_str()),
                                v["description"].as_str().unwrap_or("").to_string(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            schemas.push(SchemaDoc {
                name: name.clone(),
                props,
            });
        }
    }
    let l = Layout {
        locale,
        title: t(locale, "api-docs-title"),
        user: None,
        nav: vec![],
        company: "Khách".into(),
        notice: None,
        path: "/api/docs".into(),
    };
    let intro = doc["info"]["description"]
        .as_str()
        .unwrap_or("")
        .to_string();
    render(
        StatusCode::OK,
        &DocsPage {
            l,
            intro,
            ops,
            schemas,
        },
    )
}
