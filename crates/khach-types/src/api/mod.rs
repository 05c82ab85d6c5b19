//! JSON shapes of the REST API `/api/v1`, with their OpenAPI schemas. Requests refuse
//! unknown fields so that a typo or a mass-assignment attempt is an error, not silence.

pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod common;
pub mod departments;
pub mod roles;
pub mod settings;

pub use accounts::*;
pub use api_keys::*;
pub use audit::*;
pub use common::*;
pub use departments::*;
pub use roles::*;
pub use settings::*;
