# Khách — English. Keep keys identical in vi/main.ftl; a test checks.

## Navigation and common words
nav-menu = Menu
nav-settings = System settings
nav-accounts = Accounts
nav-departments = Departments
nav-roles = Roles & permissions
nav-api-keys = API keys
nav-audit-log = Audit log
nav-general = General settings
nav-api-docs = API reference
nav-logout = Log out
save = Save
cancel = Cancel
create = Create
delete = Delete
filter = Filter
copy = Copy
all = All
none = (None)
on = On
off = Off
next-page = Next page →
back-home = Back to the start page
back-login = Back to log in
confirm-delete = Delete this for good?
confirm-revoke = Revoke this key? Systems using it will lose access.
status-active = Active
status-inactive = Inactive

## Notices after an action
done-saved = Saved.
done-account-created = Account created.
done-password-changed = Password changed. Your other sessions were logged out.
done-password-set = New password set. The person has to log in again.
done-password-reset = Password reset. Log in with the new password.
done-revoked = API key revoked.
done-deleted = Deleted.
done-logged-out = You are logged out.
done-setup = Administrator account created. Please log in.

## Fields
field-username = Username
field-password = Password
field-password-confirm = Repeat password
field-current-password = Current password
field-new-password = New password
field-full-name = Full name
field-email = Email
field-phone = Phone
field-department = Department
field-role = Role
field-status = Status
field-active = Active
field-auto-assign = Auto-assigned
field-auto-assign-long = Receives automatically assigned customers
field-locale = Language
field-name = Name
field-parent = Parent department
field-scope = Data scope
field-created = Created
field-company-name = Company name
field-default-locale = Default language
field-permissions = Permissions
field-revoked-at = Revoked at
field-account = Account

## Log in, set-up, password reset
login-title = Log in
login-submit = Log in
login-forgot = Forgot your password?
setup-title = First-run set-up
setup-intro = Create the first administrator account of Khách. This link works once.
setup-submit = Create administrator
setup-link-invalid = This set-up link is invalid or was already used. Restart Khách for a new link, or run `khach admin create`.
forgot-title = Forgotten password
forgot-intro = Enter your username or email. If the account exists and has an email, we send a link to reset the password (valid for 1 hour).
forgot-who = Username or email
forgot-submit = Send the link
forgot-sent = If the account exists, an email with a reset link is on its way.
forgot-no-smtp = This server does not send email. Ask an administrator to reset your password.
reset-title = Reset password
reset-submit = Set the new password
reset-link-invalid = This reset link is invalid, expired or already used.
reset-mail-subject = Reset your Khách password
reset-mail-body = Hello,

    Someone asked to reset the password of your Khách account. Open this link within 1 hour:

    { $link }

    If it was not you, ignore this email.

## Profile
profile-title = My profile
profile-details = Personal details
profile-password = Change password
profile-change-password = Change password
profile-current-password-for-email = Current password (needed only to change the e-mail)

## Accounts
accounts-title = Accounts
accounts-new = Add account
accounts-new-title = Add account
accounts-edit-title = Edit account
accounts-set-password = Set a new password

## Departments
departments-title = Departments
departments-new = Add department
departments-top = (Top level)
departments-empty = No departments yet.
department-cycle = A department cannot sit under itself.
department-has-children = The department has sub-departments; move or delete them first.
department-has-accounts = The department still has accounts; move them to another department first.

## Roles
roles-title = Roles & permissions
roles-new = Add role
roles-new-title = Add role
roles-edit-title = Edit role
roles-granted = Permissions
roles-admin-badge = Admin
roles-admin-fixed = The Admin role always holds every permission; only its name can change.
roles-matrix-help = Tick what this role may do in each module.
role-admin-fixed = The Admin role's permissions cannot be narrowed.
role-admin-undeletable = The Admin role cannot be deleted.
role-has-accounts = Accounts hold this role; give them another role first.
scope-own = Own (owner, supporter or shared with me)
scope-department = My department
scope-all = Everything
module-customers = Customers
module-accounts = Accounts
module-departments = Departments
module-roles = Roles
module-api-keys = API keys
module-audit-log = Audit log
module-settings = Settings
action-view = View
action-create = Create
action-edit = Edit
action-delete = Delete
action-import = Import
action-export = Export
action-assign = Assign
action-merge = Merge
action-settings = Configure

## API keys
api-keys-title = API keys
api-keys-new = Create an API key
api-keys-prefix = Prefix
api-keys-owner = Owner
api-keys-permissions = Permissions
api-keys-last-used = Last used
api-keys-revoke = Revoke
api-keys-revoked = Revoked
api-keys-narrowed = Narrowed
api-keys-all-owner = Same as owner
api-keys-narrow = Only allow the permissions ticked below
api-keys-secret-once = Copy the key now: this is the only time it is shown.

## Audit log
audit-title = Audit log
audit-time = Time (GMT+7)
audit-actor = By
audit-origin = From
audit-entity = Object
audit-action = Action
audit-changes = Changes
audit-from = From date
audit-to = To date
audit-empty = No entries.
origin-ui = Web UI
origin-api = API
origin-cli = Command line
origin-import = Import
origin-integration = Integration
origin-automation = Automation
entity-account = Account
entity-role = Role
entity-department = Department
entity-api-key = API key
entity-settings = Settings
entity-session = Session
audit-action-create = Created
audit-action-update = Updated
audit-action-delete = Deleted
audit-action-deactivate = Deactivated
audit-action-activate = Activated
audit-action-reset-password = Password set
audit-action-reset-password-by-email = Password reset by email
audit-action-change-password = Password changed
audit-action-update-profile = Profile updated
audit-action-login = Logged in
audit-action-revoke = Revoked

## Settings and API docs
general-title = General settings
api-docs-title = API reference
api-docs-params = Parameters
api-docs-body = Request body
api-docs-responses = Responses
api-docs-schemas = Schemas
api-docs-required = required

## Errors (one per stable error code)
error-title = Something went wrong
error-malformed-json = The request body is not valid JSON.
error-invalid-query = Invalid query parameters.
error-invalid-query-detail = Invalid query parameters: { $detail }
error-unauthenticated = Please log in (or send a valid API key in the Authorization header).
error-invalid-credentials = Wrong username or password.
error-forbidden = You are not allowed to do this.
error-read-only = You may view this customer but not change it: it is only shared with you.
error-csrf-rejected = The request came from another site and was refused. Reload the page and try again.
error-not-found = Not found.
error-method-not-allowed = This HTTP method is not supported here.
error-conflict = That value is already taken.
error-last-admin = The last active administrator cannot be locked out or demoted.
error-in-use = It is still in use and cannot be deleted.
error-idempotency-in-progress = Another request with the same Idempotency-Key is still running; retry in a moment.
error-idempotency-key-reused = This Idempotency-Key was used for a different request; use a new key.
error-payload-too-large = The request body is too large.
error-unsupported-media-type = Send JSON with the header Content-Type: application/json.
error-validation-failed = Some fields are not valid; see each field.
error-validation-failed-detail = The request body is not valid: { $detail }
error-too-many-requests = Too many attempts.
error-too-many-requests-wait = Too many attempts. Try again in { $minutes } minutes.
error-internal = Something failed on the server. Nothing was changed; please try again.
error-unavailable = A service is temporarily unavailable (for example the mail server). Try again later.

## Field messages
value-required = Required.
value-too-short = Too short.
value-too-long = Too long.
value-invalid-username = Use lower-case letters without accents, digits and . _ - (3–64 characters).
value-invalid-email = Not a valid email address.
value-invalid-phone = Not a valid phone number (8–15 digits).
value-invalid-choice = Not a valid choice.
value-taken = This value is already used.
value-username-taken = This username already exists.
value-email-taken = This email is used by another account.
value-length-1-100 = Use 1 to 100 characters.
value-length-1-200 = Use 1 to 200 characters.
value-limit-range = limit must be between 1 and 200.
value-cursor = Invalid paging cursor.
value-unknown-role = No such role.
value-unknown-department = No such department.
value-wrong-password = The current password is wrong.
value-password-mismatch = The two passwords differ.
value-date-range = The date must fall between the years 1 and 9999.
value-nul = The text contains an invalid NUL character; please type it again.
value-idempotency-key = Use 1–255 visible ASCII characters.
