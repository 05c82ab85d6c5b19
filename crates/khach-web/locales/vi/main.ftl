# Khách — Vietnamese (default). Keep keys identical in en/main.ftl; a test checks.

## Navigation and common words
nav-menu = Menu
nav-settings = Cấu hình hệ thống
nav-accounts = Tài khoản
nav-departments = Phòng ban
nav-roles = Phân quyền
nav-api-keys = Cài đặt API
nav-audit-log = Nhật ký thay đổi
nav-general = Cài đặt chung
nav-api-docs = Tài liệu API
nav-logout = Đăng xuất
save = Lưu
cancel = Huỷ
create = Tạo mới
delete = Xoá
filter = Lọc
copy = Sao chép
all = Tất cả
none = (Không có)
on = Bật
off = Tắt
next-page = Trang sau →
back-home = Về trang chính
back-login = Quay lại đăng nhập
confirm-delete = Bạn chắc chắn muốn xoá?
confirm-revoke = Thu hồi khoá này? Các hệ thống đang dùng nó sẽ không truy cập được nữa.
status-active = Đang hoạt động
status-inactive = Ngừng hoạt động

## Notices after an action
done-saved = Đã lưu.
done-account-created = Đã tạo tài khoản.
done-password-changed = Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị đăng xuất.
done-password-set = Đã đặt mật khẩu mới. Người dùng cần đăng nhập lại.
done-password-reset = Đã đặt lại mật khẩu. Hãy đăng nhập bằng mật khẩu mới.
done-revoked = Đã thu hồi khoá API.
done-deleted = Đã xoá.
done-logged-out = Bạn đã đăng xuất.
done-setup = Đã tạo tài khoản quản trị. Hãy đăng nhập.

## Fields
field-username = Tên đăng nhập
field-password = Mật khẩu
field-password-confirm = Nhập lại mật khẩu
field-current-password = Mật khẩu hiện tại
field-new-password = Mật khẩu mới
field-full-name = Họ và tên
field-email = Email
field-phone = Số điện thoại
field-department = Phòng ban
field-role = Vai trò
field-status = Trạng thái
field-active = Đang hoạt động
field-auto-assign = Nhận KH tự động
field-auto-assign-long = Nhận khách hàng được phân bổ tự động
field-locale = Ngôn ngữ
field-name = Tên
field-parent = Thuộc phòng ban
field-scope = Phạm vi dữ liệu
field-created = Ngày tạo
field-company-name = Tên doanh nghiệp
field-default-locale = Ngôn ngữ mặc định
field-permissions = Quyền
field-revoked-at = Thời điểm thu hồi
field-account = Tài khoản

## Log in, set-up, password reset
login-title = Đăng nhập
login-submit = Đăng nhập
login-forgot = Quên mật khẩu?
setup-title = Thiết lập lần đầu
setup-intro = Tạo tài khoản quản trị đầu tiên của Khách. Liên kết này chỉ dùng được một lần.
setup-submit = Tạo tài khoản quản trị
setup-link-invalid = Liên kết thiết lập không hợp lệ hoặc đã được dùng. Chạy lại Khách để nhận liên kết mới, hoặc dùng lệnh `khach admin create`.
forgot-title = Quên mật khẩu
forgot-intro = Nhập tên đăng nhập hoặc email. Nếu tài khoản tồn tại và có email, chúng tôi sẽ gửi một liên kết đặt lại mật khẩu (hiệu lực 1 giờ).
forgot-who = Tên đăng nhập hoặc email
forgot-submit = Gửi liên kết
forgot-sent = Nếu tài khoản tồn tại, một email có liên kết đặt lại mật khẩu đã được gửi.
forgot-no-smtp = Máy chủ chưa cấu hình gửi email. Hãy nhờ quản trị viên đặt lại mật khẩu cho bạn.
reset-title = Đặt lại mật khẩu
reset-submit = Đặt mật khẩu mới
reset-link-invalid = Liên kết đặt lại mật khẩu không hợp lệ, đã hết hạn hoặc đã được dùng.
reset-mail-subject = Đặt lại mật khẩu Khách
reset-mail-body = Xin chào,

    Có yêu cầu đặt lại mật khẩu cho tài khoản Khách của bạn. Mở liên kết sau trong vòng 1 giờ:

    { $link }

    Nếu bạn không yêu cầu, hãy bỏ qua email này.

## Profile
profile-title = Hồ sơ của tôi
profile-details = Thông tin cá nhân
profile-password = Đổi mật khẩu
profile-change-password = Đổi mật khẩu
profile-current-password-for-email = Mật khẩu hiện tại (chỉ cần khi đổi email)

## Accounts
accounts-title = Tài khoản
accounts-new = Thêm tài khoản
accounts-new-title = Thêm tài khoản
accounts-edit-title = Sửa tài khoản
accounts-set-password = Đặt mật khẩu mới

## Departments
departments-title = Phòng ban
departments-new = Thêm phòng ban
departments-top = (Cấp cao nhất)
departments-empty = Chưa có phòng ban nào.
department-cycle = Không thể đặt phòng ban nằm dưới chính nó.
department-has-children = Phòng ban còn phòng ban con; hãy chuyển hoặc xoá chúng trước.
department-has-accounts = Phòng ban còn tài khoản; hãy chuyển các tài khoản sang phòng ban khác trước.

## Roles
roles-title = Phân quyền
roles-new = Thêm vai trò
roles-new-title = Thêm vai trò
roles-edit-title = Sửa vai trò
roles-granted = Số quyền
roles-admin-badge = Quản trị
roles-admin-fixed = Vai trò Quản trị luôn có toàn quyền; chỉ có thể đổi tên.
roles-matrix-help = Đánh dấu các thao tác vai trò này được phép làm trong từng phân hệ.
role-admin-fixed = Không thể thu hẹp quyền của vai trò Quản trị.
role-admin-undeletable = Không thể xoá vai trò Quản trị.
role-has-accounts = Vai trò đang được gán cho tài khoản; hãy đổi vai trò của các tài khoản đó trước.
scope-own = Của tôi (phụ trách, hỗ trợ hoặc được chia sẻ)
scope-department = Phòng ban của tôi
scope-all = Toàn bộ
module-customers = Khách hàng
module-accounts = Tài khoản
module-departments = Phòng ban
module-roles = Phân quyền
module-api-keys = Khoá API
module-audit-log = Nhật ký thay đổi
module-settings = Cài đặt
action-view = Xem
action-create = Thêm
action-edit = Sửa
action-delete = Xoá
action-import = Nhập
action-export = Xuất
action-assign = Phân bổ
action-merge = Hợp nhất
action-settings = Cấu hình

## API keys
api-keys-title = Cài đặt API
api-keys-new = Tạo khoá API
api-keys-prefix = Tiền tố
api-keys-owner = Chủ sở hữu
api-keys-permissions = Quyền
api-keys-last-used = Dùng lần cuối
api-keys-revoke = Thu hồi
api-keys-revoked = Đã thu hồi
api-keys-narrowed = Giới hạn
api-keys-all-owner = Như chủ sở hữu
api-keys-narrow = Chỉ cho phép các quyền được đánh dấu bên dưới
api-keys-secret-once = Sao chép khoá ngay: đây là lần duy nhất khoá được hiển thị.

## Audit log
audit-title = Nhật ký thay đổi
audit-time = Thời gian (GMT+7)
audit-actor = Người thực hiện
audit-origin = Nguồn
audit-entity = Đối tượng
audit-action = Hành động
audit-changes = Thay đổi
audit-from = Từ ngày
audit-to = Đến ngày
audit-empty = Không có mục nào.
origin-ui = Giao diện
origin-api = API
origin-cli = Dòng lệnh
origin-import = Nhập dữ liệu
origin-integration = Tích hợp
origin-automation = Tự động hoá
entity-account = Tài khoản
entity-role = Vai trò
entity-department = Phòng ban
entity-api-key = Khoá API
entity-settings = Cài đặt
entity-session = Phiên đăng nhập
audit-action-create = Tạo
audit-action-update = Sửa
audit-action-delete = Xoá
audit-action-deactivate = Ngừng hoạt động
audit-action-activate = Kích hoạt
audit-action-reset-password = Đặt mật khẩu mới
audit-action-reset-password-by-email = Đặt lại mật khẩu qua email
audit-action-change-password = Đổi mật khẩu
audit-action-update-profile = Sửa hồ sơ
audit-action-login = Đăng nhập
audit-action-revoke = Thu hồi

## Settings and API docs
general-title = Cài đặt chung
api-docs-title = Tài liệu API
api-docs-params = Tham số
api-docs-body = Nội dung gửi lên
api-docs-responses = Phản hồi
api-docs-schemas = Kiểu dữ liệu
api-docs-required = bắt buộc

## Errors (one per stable error code)
error-title = Có lỗi
error-malformed-json = Nội dung gửi lên không phải JSON hợp lệ.
error-invalid-query = Tham số truy vấn không hợp lệ.
error-invalid-query-detail = Tham số truy vấn không hợp lệ: { $detail }
error-unauthenticated = Bạn cần đăng nhập (hoặc gửi khoá API hợp lệ trong tiêu đề Authorization).
error-invalid-credentials = Sai tên đăng nhập hoặc mật khẩu.
error-forbidden = Bạn không có quyền thực hiện thao tác này.
error-read-only = Bạn chỉ được xem khách hàng này (được chia sẻ để xem), không được sửa.
error-csrf-rejected = Yêu cầu đến từ trang web khác nên đã bị từ chối. Hãy tải lại trang và thử lại.
error-not-found = Không tìm thấy.
error-method-not-allowed = Phương thức HTTP này không được hỗ trợ ở địa chỉ này.
error-conflict = Giá trị đã được dùng.
error-last-admin = Không thể khoá hoặc hạ quyền quản trị viên cuối cùng đang hoạt động.
error-in-use = Đối tượng đang được sử dụng nên không thể xoá.
error-idempotency-in-progress = Một yêu cầu khác với cùng Idempotency-Key đang được xử lý; hãy thử lại sau giây lát.
error-idempotency-key-reused = Idempotency-Key này đã được dùng cho một yêu cầu khác; hãy dùng khoá mới.
error-payload-too-large = Nội dung gửi lên quá lớn.
error-unsupported-media-type = Hãy gửi nội dung JSON với tiêu đề Content-Type: application/json.
error-validation-failed = Dữ liệu chưa hợp lệ; xem từng trường.
error-validation-failed-detail = Dữ liệu chưa hợp lệ: { $detail }
error-too-many-requests = Quá nhiều lần thử.
error-too-many-requests-wait = Quá nhiều lần thử. Hãy thử lại sau { $minutes } phút.
error-internal = Đã có lỗi trên máy chủ. Thao tác chưa được thực hiện; hãy thử lại.
error-unavailable = Dịch vụ tạm thời không sẵn sàng (ví dụ: máy chủ email). Hãy thử lại sau.

## Field messages
value-required = Bắt buộc nhập.
value-too-short = Quá ngắn.
value-too-long = Quá dài.
value-invalid-username = Chỉ dùng chữ thường không dấu, số và . _ - (3–64 ký tự).
value-invalid-email = Email không hợp lệ.
value-invalid-phone = Số điện thoại không hợp lệ (8–15 chữ số).
value-invalid-choice = Lựa chọn không hợp lệ.
value-taken = Giá trị này đã được dùng.
value-username-taken = Tên đăng nhập đã tồn tại.
value-email-taken = Email đã được dùng cho tài khoản khác.
value-length-1-100 = Cần từ 1 đến 100 ký tự.
value-length-1-200 = Cần từ 1 đến 200 ký tự.
value-limit-range = limit phải từ 1 đến 200.
value-cursor = Con trỏ phân trang không hợp lệ.
value-unknown-role = Vai trò không tồn tại.
value-unknown-department = Phòng ban không tồn tại.
value-wrong-password = Mật khẩu hiện tại không đúng.
value-password-mismatch = Hai mật khẩu không khớp.
value-date-range = Ngày phải nằm trong khoảng năm 1–9999.
value-nul = Nội dung có ký tự NUL không hợp lệ; hãy gõ lại.
value-idempotency-key = Cần 1–255 ký tự ASCII nhìn thấy được.
