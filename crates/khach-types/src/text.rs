//! Text folding for search: one function, used for every stored search text and
//! every needle, so that "nguyen van an" finds "Nguyễn Văn An" on both databases.

use unicode_normalization::UnicodeNormalization;

/// NFC → ASCII transliteration (đ → d, ễ → e) → lower case, with runs of white
/// space collapsed to one space.
pub fn fold(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    let ascii = deunicode::deunicode(&nfc).to_lowercase();
    ascii.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// NFC and lower case, diacritics kept: for sorting names and for "exact diacritics
/// first" in search results.
pub fn nfc_lower(s: &str) -> String {
    s.nfc().collect::<String>().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::fold;
    use proptest::prelude::*;

    #[test]
    fn vietnamese_names_fold_to_plain_ascii() {
        assert_eq!(fold("Nguyễn Văn An"), "nguyen van an");
        assert_eq!(fold("Đặng Thị Hồng Đào"), "dang thi hong dao");
        assert_eq!(fold("  TRẦN   quốc  BẢO "), "tran quoc bao");
        // Decomposed input (Windows-1258 exports) folds the same as composed.
        let decomposed = "Nguye\u{302}\u{303}n";
        assert_eq!(fold(decomposed), fold("Nguyễn"));
    }

    proptest! {
        #[test]
        fn folding_is_idempotent_and_ascii(s in "\\PC{0,40}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
            prop_assert!(once.is_ascii());
        }
    }
}
