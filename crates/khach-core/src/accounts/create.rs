use crate::audit::{self, Changes};
use crate::error::FieldErrors;
use crate::{Core, CoreError, CoreResult, Ctx};
use khach_db::ConnectionTrait;
use khach_db::accounts::Account as Row;
use khach_types::api::{Account, CreateAccount};
use khach_types::{Action, ContactPhone, Email, Locale, Module, Password, Username};

/// A validated new account.
pub struct NewAccount {
    pub username: Username,
    pub password: Password,
    pub full_name: String,
    pub email: Option<Email>,
    pub phone: Option<ContactPhone>,
    pub department_id: Option<i64>,
    pub role_id: i64,
    pub active: bool,
    pub auto_assign: bool,
    pub locale: Locale,
}

pub(crate) fn parse_full_name(errs: &mut FieldErrors, raw: &str) -> Option<String> {
    let n = raw.trim();
    if n.is_empty() || n.chars().count() > 200 {
        errs.add("full_name", "value-length-1-200");
        None
    } else {
        Some(n.to_string())
    }
}

pub(crate) fn parse_opt<T>(
    errs: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
    parse: fn(&str) -> Result<T, khach_types::ValueError>,
) -> Option<Option<T>> {
    match raw.map(str::trim) {
        None | Some("") => Some(None),
        Some(s) => errs.check(field, parse(s)).map(Some),
    }
}

impl NewAccount {
    pub fn parse(input: &CreateAccount, default_locale: Locale) -> CoreResult<Self> {
        let mut errs = FieldErrors::default();
        let username = errs.check("username", Username::parse(&input.username));
        let password = errs.check("password", Password::parse(&input.password));
        let full_name = parse_full_name(&mut errs, &input.full_name);
        let email = parse_opt(&mut errs, "email", input.email.as_deref(), Email::parse);
        let phone = parse_opt(
            &mut errs,
            "phone",
            input.phone.as_deref(),
            ContactPhone::parse,
        );
        errs.finish()?;
        match (username, password, full_name, email, phone) {
            (Some(username), Some(password), Some(full_name), Some(email), Some(phone)) => {
                Ok(Self {
                    username,
                    password,
                    full_name,
                    email,
                    phone,
                    department_id: input.department_id,
                    role_id: input.role_id,
                    active: input.active,
                    auto_assign: input.auto_assign,
                    locale: input.locale.unwrap_or(default_locale),
                })
            }
            _ => Err(CoreError::Internal("unreachable validation state".into())),
        }
    }
}

/// Checks that referenced role and department exist; only admins grant the Admin role.
pub(crate) async fn check_refs(
    c: &impl ConnectionTrait,
    ctx: &Ctx,
    role_id: i64,
    department_id: Option<i64>,
) -> CoreResult<bool> {
    let mut errs = FieldErrors::default();
    let role = khach_db::roles::get(c, role_id).await?;
    if role.is_none() {
        errs.add("role_id", "value-unknown-role");
    }
    if let Some(d) = department_id
        && khach_db::departments::get(c, d).await?.is_none()
    {
        errs.add("department_id", "value-unknown-department");
    }
    errs.finish()?;
    let role = role.ok_or(CoreError::NotFound)?;
    // Only a role the caller could have made itself: no one hands out more power
    // than they hold (an Admin role only by an admin).
    crate::roles::ensure_grantable(ctx, &role)?;
    Ok(role.is_admin)
}

pub async fn create(core: &Core, ctx: &Ctx, input: CreateAccount) -> CoreResult<Account> {
    ctx.require(Module::Accounts, Action::Create)?;
    let defaults = crate::settings::get(core).await?;
    let new = NewAccount::parse(&input, defaults.default_locale)?;
    create_unchecked(core, ctx, new).await
}

/// Creates an account after the caller has checked permission (the CLI comes here
/// directly).
pub async fn create_unchecked(core: &Core, ctx: &Ctx, new: NewAccount) -> CoreResult<Account> {
    let hash = crate::auth::password::hash(core, new.password.expose()).await?;
    let tx = core.db.begin().await?;
    let account = insert_in(&tx, ctx, new, hash).await?;
    khach_db::commit(tx).await?;
    Ok(account)
}

/// Inserts the account and its audit row inside the caller's transaction.
pub(crate) async fn insert_in(
    tx: &impl ConnectionTrait,
    ctx: &Ctx,
    new: NewAccount,
    password_hash: String,
) -> CoreResult<Account> {
    check_refs(tx, ctx, new.role_id, new.department_id).await?;
    let row = khach_db::accounts::insert(
        tx,
        Row {
            id: 0,
            username: new.username.as_str().into(),
            full_name: new.full_name,
            email: new.email.map(|e| e.as_str().to_string()),
            phone: new.phone.map(|p| p.as_str().to_string()),
            department_id: new.department_id,
            role_id: new.role_id,
            active: new.active,
            auto_assign: new.auto_assign,
            locale: new.locale.as_str().into(),
            password_hash,
            created_at: ctx.now,
            updated_at: ctx.now,
        },
    )
    .await
    .map_err(taken)?;
    let mut ch = Changes::new();
    ch.set("username", &row.username);
    ch.set("full_name", &row.full_name);
    ch.set("email", &row.email);
    ch.set("phone", &row.phone);
    ch.set("department_id", &row.department_id);
    ch.set("role_id", &row.role_id);
    ch.set("active", &row.active);
    ch.set("auto_assign", &row.auto_assign);
    audit::record(tx, ctx, "account", Some(row.id.to_string()), "create", ch).await?;
    Ok(super::to_api(row))
}

/// Unique violations on accounts become field errors the form can show.
pub(crate) fn taken(e: khach_db::DbError) -> CoreError {
    match e {
        khach_db::DbError::Unique(f @ ("username" | "email")) => CoreError::Conflict {
            field: f,
            key: if f == "username" {
                "value-username-taken"
            } else {
                "value-email-taken"
            },
        },
        other => other.into(),
    }
}
