# Messages of the customer rules (khach-core: customers, custom fields, tags,
# stages, sources, companies, saved filters, display settings). Each key here
# must exist in vi/customer-errors.ftl too, and in no other .ftl file.

## Customers

customer-code-invalid = A customer code uses letters without accents, digits and - _ . / (1–32 characters); please correct it.
customer-code-taken = This customer code is already used by another customer; please choose a different code.
customer-phone-taken = This phone number already belongs to another customer; find and update that customer instead of creating a new one.
customer-email-taken = This email already belongs to another customer; find and update that customer instead of creating a new one.
value-unknown-ref = The chosen item does not exist (it may have been deleted); please choose again from the list.
value-unknown-province = There is no province with this code; choose one of the 34 provinces.
value-unknown-ward = This ward does not belong to the chosen province; please choose the ward again.
value-ward-needs-province = Choose the province before the ward.
value-too-many = Too many entries; please remove some (at most 10 phone numbers, 10 emails, 50 tags).
value-bulk-size = Select between 1 and 1,000 customers for one bulk action.
value-retention-days = Days in the recycle bin must be between 1 and 3,650.
search-email-exact = Your role can find customers by a complete email address only; please type the whole address.
search-phone-too-short = Type at least 4 digits of the phone number.

## Filters

filter-invalid-field = The filter uses a field that does not exist or cannot be filtered on; please choose the field again.
filter-invalid-op = This comparison cannot be used with the chosen field; please choose another comparison.
filter-invalid-value = The filter value does not fit the field's type (number, date, list…); please enter it again.
filter-too-deep = The filter nests groups more than 4 levels deep; please merge some groups.
filter-too-many-rules = The filter has more than 50 conditions; remove some, or use a tag to group the customers.

## Custom fields

cf-unknown = There is no custom field with this key; check the key under Settings → Custom fields.
cf-invalid-text = Enter some text.
cf-invalid-number = Enter a number (for example 12 or 3.5).
cf-invalid-money = Enter an amount in whole đồng (for example 1,500,000).
cf-invalid-date = Enter a date as dd/MM/yyyy (for example 25/11/2026).
cf-invalid-datetime = Enter a full date and time with its time zone (for example 2026-11-25T10:00:00+07:00).
cf-invalid-boolean = Choose Yes or No.
cf-invalid-option = This value is not one of the field's options; choose one of the options offered.
cf-invalid-url = Enter a web address starting with http:// or https://.
cf-value-taken = This unique field's value already belongs to another customer; enter a different value.
cf-key-invalid = A field key uses lower-case letters without accents, digits and _, starting with a letter (at most 64 characters).
cf-options-required = A choice field needs at least one option; please add options.
cf-options-invalid = Each option needs its own key (lower-case letters without accents, digits, _) and a label of 1–200 characters; at most 500 options.
cf-options-not-allowed = Only choice fields have options; please remove the option list.
cf-option-in-use = Customers still use the option you want to remove; change their values first, then remove the option.
cf-unique-has-duplicates = "Unique" cannot be turned on: several records share a value; fix the duplicates first.
cf-has-values = The field still holds data and cannot be deleted; clear its values on the records first, or hide the field.
cf-kind-needs-options = A field cannot be changed into a choice field; create a new choice field with the options you need.
cf-kind-change-lossy = Some values cannot be converted to the new type; look at the preview, fix or clear those values, then try again.

## Tags, stages, sources, companies

tag-merge-self = A tag cannot be merged into itself; choose another tag.
value-unknown-tag = The target tag does not exist; choose a tag from the list.
value-color = A colour looks like #rrggbb (for example #2563eb).
value-position = The position must be 1 or more.
value-priority = The priority must be between 0 and 1,000 (a lower number wins).
stage-in-use = Customers are still at this stage; move them to another stage before deleting it.
source-in-use = Customers still come from this source; change their source before deleting it.
company-has-customers = The company still has customers (also in the recycle bin); move them or purge them first.

## Display settings

value-unknown-column = A column does not exist; choose columns from the list (or cf.<key> of a custom field).
value-columns-count = Choose between 1 and 40 columns.
value-unknown-tab = A tab does not exist; choose among: profile, contacts, company, history, audit.
