//! Plain types shared by every layer of Khách: parsed values (`Username`, `Email`,
//! `Password`), the permission model, stable error codes and the JSON shapes of the
//! REST API (with their OpenAPI schemas). Nothing here does I/O.

pub mod api;
pub mod error;
pub mod event_kind;
pub mod perm;
pub mod phone;
pub mod text;
pub mod units;
pub mod values;

pub use error::ErrorCode;
pub use event_kind::{EventKind, EventSource};
pub use perm::{Action, Module, PermissionSet, Scope};
pub use phone::Phone;
pub use text::fold;
pub use values::{ContactPhone, Email, Locale, Origin, Password, Username, ValueError, mask_email};
