//! Authentication: passwords, login with throttling, sessions, API-key requests,
//! first-run set-up and password reset by e-mail.

mod login;
pub mod password;
mod reset;
mod session;
mod setup;

pub use login::{LoginOutcome, account_key, begin_attempt, login};
pub use reset::{complete_reset, request_reset, reset_token_valid};
pub use session::{actor_for, authenticate_key, authenticate_session, logout};
pub use setup::{complete_setup, issue_setup_token, setup_token_valid};
