//! The OpenAPI 3.1 document: paths from the handlers' annotations, plus what every
//! operation shares (security, the error envelope for each documented status).

use crate::api;
use std::sync::OnceLock;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, ResponseBuilder};
use utoipa::{OpenApi as _, PartialSchema, ToSchema};

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Khách API",
        description = "REST API of Khách, the self-hosted customer data platform and CRM. \
            Authenticate with `Authorization: Bearer khk_…` (create a key under Settings → API keys). \
            Lists are paged with `?limit=&cursor=`; errors are `{\"error\": {\"code\", \"message\", \"fields\"}}`. \
            Records outside the caller's scope answer 404. \
            POST requests (except those that carry passwords or create API keys) honour an \
            `Idempotency-Key` header (1–255 visible ASCII characters): a retry with the same key and \
            the same body within 24 hours returns the first answer, marked `Idempotent-Replayed: true`, \
            instead of doing the work again.",
        license(name = "AGPL-3.0-or-later")
    ),
    components(schemas(khach_types::api::ErrorResponse, khach_types::api::ErrorBody))
)]
struct Base;

fn error_ref() -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description("Error; see `error.code`")
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(
                    khach_types::api::ErrorResponse::name(),
                )))
                .build(),
        )
        .build()
        .into()
}

fn add_errors(op: &mut Operation, has_body: bool) {
    let mut codes = vec![
        "400", "401", "403", "404", "405", "409", "422", "429", "500",
    ];
    if has_body {
        codes.extend(["413", "415"]);
    }
    for c in codes {
        op.responses
            .responses
            .entry(c.to_string())
            .or_insert_with(error_ref);
    }
}

/// Builds (once) the whole document.
pub fn document() -> &'static OpenApi {
    static DOC: OnceLock<OpenApi> = OnceLock::new();
    DOC.get_or_init(|| {
        let (_, paths_doc) = api::router().split_for_parts();
        let mut doc = Base::openapi();
        doc.merge(paths_doc);
        let comps = doc.components.get_or_insert_with(Default::default);
        comps.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("khk_…")
                    .build(),
            ),
        );
        // Named so the schema exists even if no handler names it directly.
        let _ = khach_types::api::ErrorResponse::schema();
        doc.security = Some(vec![SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
        for item in doc.paths.paths.values_mut() {
            for (op, body) in [
                (&mut item.get, false),
                (&mut item.delete, false),
                (&mut item.post, true),
                (&mut item.patch, true),
                (&mut item.put, true),
            ] {
                if let Some(op) = op.as_mut() {
                    add_errors(op, body);
                }
            }
        }
        doc
    })
}
