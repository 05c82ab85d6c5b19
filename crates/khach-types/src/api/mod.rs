//! JSON shapes of the REST API `/api/v1`, with their OpenAPI schemas. Requests refuse
//! unknown fields so that a typo or a mass-assignment attempt is an error, not silence.

pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod common;
pub mod companies;
pub mod customers;
pub mod departments;
pub mod duplicates;
pub mod events;
pub mod fields;
pub mod filters;
pub mod imports;
pub mod ownership;
pub mod roles;
pub mod settings;
pub mod taxonomy;
pub mod webhooks;

pub use accounts::*;
pub use api_keys::*;
pub use audit::*;
pub use common::*;
pub use companies::*;
pub use customers::*;
pub use departments::*;
pub use duplicates::*;
pub use events::*;
pub use fields::*;
pub use filters::*;
pub use imports::*;
pub use ownership::*;
pub use roles::*;
pub use settings::*;
pub use taxonomy::*;
pub use webhooks::*;
