# Messages of the customer rules (khach-core: customers, custom fields, tags,
# stages, sources, companies, saved filters, display settings). Each key here
# must exist in en/customer-errors.ftl too, and in no other .ftl file.

## Customers

customer-code-invalid = Mã khách hàng chỉ gồm chữ cái không dấu, chữ số và - _ . / (1–32 ký tự); hãy sửa lại mã.
customer-code-taken = Mã khách hàng đã được dùng cho khách hàng khác; hãy chọn mã khác.
customer-phone-taken = Số điện thoại này đã thuộc về một khách hàng khác; hãy tìm và cập nhật khách hàng đó thay vì tạo mới.
customer-email-taken = Email này đã thuộc về một khách hàng khác; hãy tìm và cập nhật khách hàng đó thay vì tạo mới.
value-unknown-ref = Mục được chọn không tồn tại (có thể đã bị xoá); hãy chọn lại từ danh sách.
value-unknown-province = Không có tỉnh/thành với mã này; hãy chọn từ danh sách 34 tỉnh/thành.
value-unknown-ward = Phường/xã này không thuộc tỉnh/thành đã chọn; hãy chọn lại phường/xã.
value-ward-needs-province = Hãy chọn tỉnh/thành trước khi chọn phường/xã.
value-too-many = Quá nhiều mục; hãy bớt đi (tối đa 10 số điện thoại, 10 email, 50 nhãn).
value-bulk-size = Hãy chọn từ 1 đến 1.000 khách hàng cho một thao tác hàng loạt.
value-retention-days = Số ngày giữ trong thùng rác phải từ 1 đến 3.650.
search-email-exact = Vai trò của bạn chỉ tìm được khách hàng theo email đầy đủ; hãy nhập cả địa chỉ email.
search-phone-too-short = Hãy nhập ít nhất 4 chữ số của số điện thoại.

## Filters

filter-invalid-field = Bộ lọc dùng một trường không tồn tại hoặc không cho phép lọc; hãy chọn lại trường.
filter-invalid-op = Phép so sánh này không dùng được cho trường đã chọn; hãy chọn phép so sánh khác.
filter-invalid-value = Giá trị lọc không đúng kiểu của trường (số, ngày, danh sách…); hãy nhập lại.
filter-too-deep = Bộ lọc lồng quá 4 cấp nhóm; hãy gộp bớt các nhóm.
filter-too-many-rules = Bộ lọc có quá 50 điều kiện; hãy bớt điều kiện hoặc dùng nhãn để gom khách hàng.

## Custom fields

cf-unknown = Không có trường tuỳ chỉnh với khoá này; hãy kiểm tra lại khoá trong Cài đặt → Trường tuỳ chỉnh.
cf-invalid-text = Hãy nhập một đoạn văn bản.
cf-invalid-number = Hãy nhập một số (ví dụ 12 hoặc 3,5).
cf-invalid-money = Hãy nhập số tiền bằng đồng, không có phần lẻ (ví dụ 1.500.000).
cf-invalid-date = Hãy nhập ngày theo dạng dd/MM/yyyy (ví dụ 25/11/2026).
cf-invalid-datetime = Hãy nhập ngày giờ đầy đủ kèm múi giờ (ví dụ 2026-11-25T10:00:00+07:00).
cf-invalid-boolean = Hãy chọn Có hoặc Không.
cf-invalid-option = Giá trị không có trong danh sách lựa chọn của trường; hãy chọn một lựa chọn có sẵn.
cf-invalid-url = Hãy nhập địa chỉ web bắt đầu bằng http:// hoặc https://.
cf-value-taken = Giá trị này của trường duy nhất đã thuộc về khách hàng khác; hãy nhập giá trị khác.
cf-key-invalid = Khoá trường chỉ gồm chữ thường không dấu, chữ số và _, bắt đầu bằng một chữ cái (tối đa 64 ký tự).
cf-options-required = Trường lựa chọn cần ít nhất một lựa chọn; hãy thêm lựa chọn.
cf-options-invalid = Mỗi lựa chọn cần khoá riêng (chữ thường không dấu, chữ số, _) và nhãn 1–200 ký tự; tối đa 500 lựa chọn.
cf-options-not-allowed = Chỉ trường kiểu lựa chọn mới có danh sách lựa chọn; hãy bỏ danh sách này.
cf-option-in-use = Lựa chọn bạn muốn bỏ vẫn đang được khách hàng dùng; hãy đổi giá trị của họ trước rồi bỏ lựa chọn.
cf-unique-has-duplicates = Không thể bật "không trùng lặp": đã có nhiều bản ghi cùng một giá trị; hãy sửa các giá trị trùng trước.
cf-has-values = Trường vẫn còn dữ liệu nên không thể xoá; hãy xoá giá trị của trường ở các bản ghi trước, hoặc ẩn trường đi.
cf-kind-needs-options = Không thể đổi sang kiểu lựa chọn từ kiểu khác; hãy tạo trường lựa chọn mới với các lựa chọn cần thiết.
cf-kind-change-lossy = Có giá trị không chuyển được sang kiểu mới; hãy xem bản xem trước, sửa hoặc xoá các giá trị đó rồi thử lại.

## Tags, stages, sources, companies

tag-merge-self = Không thể gộp một nhãn vào chính nó; hãy chọn nhãn khác.
value-unknown-tag = Nhãn đích không tồn tại; hãy chọn nhãn có trong danh sách.
value-color = Màu phải có dạng #rrggbb (ví dụ #2563eb).
value-position = Vị trí phải từ 1 trở lên.
value-priority = Độ ưu tiên phải từ 0 đến 1.000 (số nhỏ hơn được ưu tiên hơn).
stage-in-use = Vẫn còn khách hàng ở giai đoạn này; hãy chuyển họ sang giai đoạn khác trước khi xoá.
source-in-use = Vẫn còn khách hàng đến từ nguồn này; hãy đổi nguồn của họ trước khi xoá.
company-has-customers = Công ty vẫn còn khách hàng (kể cả trong thùng rác); hãy chuyển hoặc xoá hẳn các khách hàng đó trước.

## Display settings

value-unknown-column = Có cột không tồn tại; hãy chọn cột từ danh sách (hoặc cf.<khoá> của một trường tuỳ chỉnh).
value-columns-count = Hãy chọn từ 1 đến 40 cột.
value-unknown-tab = Có thẻ không tồn tại; hãy chọn trong các thẻ: profile, contacts, company, history, audit.
