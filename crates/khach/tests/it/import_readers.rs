//! Fuzz-style tests of the import readers: any bytes (random, or a valid CSV / XLSX
//! file damaged at random) give rows or an error, never a panic.

use khach_core::imports::read::{Input, open};
use proptest::prelude::*;
use std::sync::Arc;

fn read_all(bytes: Vec<u8>) -> usize {
    match open(&Input::Bytes(Arc::new(bytes))) {
        Ok((_, rows)) => rows.take(10_000).filter(|r| r.is_ok()).count(),
        Err(_) => 0,
    }
}

fn xlsx() -> Vec<u8> {
    let h = vec!["Tên".to_string(), "SĐT".to_string()];
    let rows: Vec<Vec<String>> = (0..30)
        .map(|i| vec![format!("Khách {i}"), format!("09120000{i:02}")])
        .collect();
    khach_core::exports::xlsx_bytes(&h, &rows).unwrap()
}

#[test]
fn a_valid_workbook_reads_back() {
    let (sn, rows) = open(&Input::Bytes(Arc::new(xlsx()))).unwrap();
    assert_eq!(sn.encoding, "xlsx");
    let rows: Vec<Vec<String>> = rows.map(Result::unwrap).collect();
    assert_eq!(rows.len(), 31);
    assert_eq!(rows[1], vec!["Khách 0", "0912000000"]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        read_all(bytes);
    }

    #[test]
    fn csv_like_bytes_never_panic(
        cells in proptest::collection::vec("[\"a-zA-Z0-9,;\t\r\n\u{fe}\u{ff}đế ]{0,12}", 0..60),
        bom in 0usize..4,
    ) {
        let mut bytes = match bom {
            1 => vec![0xEF, 0xBB, 0xBF],
            2 => vec![0xFF, 0xFE],
            3 => vec![0xFE, 0xFF],
            _ => Vec::new(),
        };
        bytes.extend(cells.join(",").into_bytes());
        read_all(bytes);
    }

    #[test]
    fn damaged_workbooks_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut b = xlsx();
        for (i, v) in flips {
            let i = i.index(b.len());
            b[i] = v;
        }
        if truncate {
            let n = cut.index(b.len());
            b.truncate(n);
        }
        read_all(b);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Over generated values: no exported cell starts a formula, and the file
    /// imports back to exactly what an import of the original values reads.
    #[test]
    fn neutralised_cells_never_start_a_formula_and_import_back(
        cells in proptest::collection::vec("[=+@\\-\t\r\n a-zđệ0-9,;\"']{0,10}", 1..8),
    ) {
        use khach_core::exports::{csv_bytes, neutralise};
        use khach_core::imports::read::clean;
        let seen: Vec<String> = cells.iter().map(|c| clean(c)).collect();
        let out: Vec<String> = seen.iter().map(|c| neutralise(c).into_owned()).collect();
        for c in &out {
            prop_assert!(!c.starts_with(['=', '+', '-', '@', '\t', '\r']), "{:?}", c);
        }
        let header: Vec<String> = (0..out.len()).map(|i| format!("c{i}")).collect();
        let bytes = csv_bytes(&header, std::slice::from_ref(&out)).unwrap();
        let (_, rows) = open(&Input::Bytes(Arc::new(bytes))).unwrap();
        let rows: Vec<Vec<String>> = rows.map(Result::unwrap).collect();
        prop_assert_eq!(&rows[1], &seen);
    }
}
