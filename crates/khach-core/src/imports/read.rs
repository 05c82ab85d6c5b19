//! Reading an import file as rows of text cells, streaming, whatever it is:
//! CSV in UTF-8 (with or without a BOM), UTF-16 with a BOM (Excel's "Unicode text",
//! tab-separated), or Windows-1258 (Excel's "CSV" on Vietnamese Windows), with the
//! separator detected; or the first sheet of an XLSX workbook.
//!
//! Every cell comes out NFC-normalised: Windows-1258 decodes tone marks as combining
//! characters, and "Nguyễn" spelled two ways would break search, dedup and equality.
//! A cell that is not valid UTF-8 in a UTF-8 file is decoded as Windows-1258, so a
//! file whose first lines happen to be plain ASCII is still read right.
//!
//! Any bytes give rows or an error, never a panic: the XLSX parser runs on its own
//! thread, and a panic there ends the rows with an error.

use encoding_rs::{Decoder, Encoding, UTF_16BE, UTF_16LE, WINDOWS_1258};
use std::io::{BufReader, Cursor, Read};
use std::path::PathBuf;
use std::sync::Arc;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Columns a file may have.
pub const MAX_COLUMNS: usize = 500;
/// Characters a cell may hold.
pub const MAX_CELL: usize = 20_000;

/// Where the bytes are.
#[derive(Debug, Clone)]
pub enum Input {
    Bytes(Arc<Vec<u8>>),
    /// A file on the machine that runs the import (the CLI).
    Path(PathBuf),
}

/// Why a file cannot be read, as a message key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("import-file-unreadable")]
    Unreadable,
    #[error("import-file-empty")]
    Empty,
    #[error("import-xlsx-invalid")]
    Xlsx,
    #[error("import-csv-invalid")]
    Csv,
    #[error("import-too-many-columns")]
    TooManyColumns,
}

impl ReadError {
    pub fn key(&self) -> &'static str {
        match self {
            Self::Unreadable => "import-file-unreadable",
            Self::Empty => "import-file-empty",
            Self::Xlsx => "import-xlsx-invalid",
            Self::Csv => "import-csv-invalid",
            Self::TooManyColumns => "import-too-many-columns",
        }
    }
}

/// What the first bytes say about a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    /// `utf-8`, `utf-16`, `windows-1258` or `xlsx`.
    pub encoding: &'static str,
    /// The CSV separator (unused for XLSX).
    pub separator: u8,
}

/// Rows of a file, header first.
pub type Rows = Box<dyn Iterator<Item = Result<Vec<String>, ReadError>> + Send>;

fn head(input: &Input) -> Result<Vec<u8>, ReadError> {
    const N: usize = 64 * 1024;
    match input {
        Input::Bytes(b) => Ok(b.get(..N.min(b.len())).unwrap_or_default().to_vec()),
        Input::Path(p) => {
            let f = std::fs::File::open(p).map_err(|_| ReadError::Unreadable)?;
            let mut buf = Vec::with_capacity(N);
            f.take(N as u64)
                .read_to_end(&mut buf)
                .map_err(|_| ReadError::Unreadable)?;
            Ok(buf)
        }
    }
}

/// Looks at the start of a file: format, encoding, separator.
pub fn sniff(input: &Input) -> Result<Sniffed, ReadError> {
    let h = head(input)?;
    if h.is_empty() {
        return Err(ReadError::Empty);
    }
    if h.starts_with(b"PK\x03\x04") {
        return Ok(Sniffed {
            encoding: "xlsx",
            separator: b',',
        });
    }
    let (encoding, text) = if let Some((enc, bom)) = Encoding::for_bom(&h) {
        let label = if enc == encoding_rs::UTF_8 {
            "utf-8"
        } else {
            "utf-16"
        };
        let rest = h.get(bom..).unwrap_or_default();
        (label, enc.decode_without_bom_handling(rest).0.into_owned())
    } else {
        match std::str::from_utf8(&h) {
            Ok(s) => ("utf-8", s.to_string()),
            // Cut inside a character at the end of the sample: still UTF-8.
            Err(e) if e.error_len().is_none() => (
                "utf-8",
                String::from_utf8_lossy(h.get(..e.valid_up_to()).unwrap_or_default()).into(),
            ),
            Err(_) => ("windows-1258", WINDOWS_1258.decode(&h).0.into_owned()),
        }
    };
    Ok(Sniffed {
        encoding,
        separator: separator(&text),
    })
}

/// The candidate found most often outside quotes in the first line; `,` on a tie.
pub fn separator(text: &str) -> u8 {
    let line = first_record(text);
    let mut best = (b',', 0usize);
    for cand in [b',', b';', b'\t', b'|'] {
        let mut n = 0;
        let mut quoted = false;
        for b in line.bytes() {
            if b == b'"' {
                quoted = !quoted;
            } else if b == cand && !quoted {
                n += 1;
            }
        }
        if n > best.1 {
            best = (cand, n);
        }
    }
    best.0
}

/// The first line, with quoted line breaks kept inside it.
fn first_record(text: &str) -> &str {
    let mut quoted = false;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => return text.get(..i).unwrap_or(text),
            _ => {}
        }
    }
    text
}

/// NFC form of a cell, trimmed of the characters spreadsheets pad with.
pub fn clean(s: &str) -> String {
    let s = s.trim_matches(|c: char| c == '\u{feff}' || c.is_whitespace());
    // An apostrophe an export put before a formula character comes off again.
    let s = match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => s,
    };
    let s: String = if is_nfc_quick(s.chars()) == IsNormalized::Yes {
        s.to_string()
    } else {
        s.nfc().collect()
    };
    if s.chars().count() > MAX_CELL {
        s.chars().take(MAX_CELL).collect()
    } else {
        s
    }
}

/// One cell's bytes: UTF-8, or else Windows-1258.
fn decode_cell(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => clean(s),
        Err(_) => clean(&WINDOWS_1258.decode_without_bom_handling(b).0),
    }
}

/// Opens a file as rows of cells, header first.
pub fn open(input: &Input) -> Result<(Sniffed, Rows), ReadError> {
    let sn = sniff(input)?;
    let rows: Rows = if sn.encoding == "xlsx" {
        xlsx_rows(input.clone())
    } else {
        csv_rows(input, sn)?
    };
    Ok((sn, rows))
}

fn reader(input: &Input) -> Result<Box<dyn Read + Send>, ReadError> {
    Ok(match input {
        Input::Bytes(b) => Box::new(Cursor::new(ArcBytes(Arc::clone(b)))),
        Input::Path(p) => Box::new(BufReader::with_capacity(
            256 * 1024,
            std::fs::File::open(p).map_err(|_| ReadError::Unreadable)?,
        )),
    })
}

/// Shares the uploaded bytes with the reader without copying them.
struct ArcBytes(Arc<Vec<u8>>);

impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        self.0.as_slice()
    }
}

fn csv_rows(input: &Input, sn: Sniffed) -> Result<Rows, ReadError> {
    let mut r = reader(input)?;
    let mut bom = [0u8; 3];
    let n = read_up_to(&mut r, &mut bom)?;
    let start = bom.get(..n).unwrap_or_default().to_vec();
    let rest = Cursor::new(start).chain(r);
    let src: Box<dyn Read + Send> = match Encoding::for_bom(bom.get(..n).unwrap_or_default()) {
        Some((enc, len)) if enc == UTF_16LE || enc == UTF_16BE => {
            let mut rest = rest;
            let mut skip = vec![0u8; len];
            read_up_to(&mut rest, &mut skip)?;
            Box::new(Transcode::new(rest, enc.new_decoder_without_bom_handling()))
        }
        Some((_, len)) => {
            let mut rest = rest;
            let mut skip = vec![0u8; len];
            read_up_to(&mut rest, &mut skip)?;
            Box::new(rest)
        }
        None => Box::new(rest),
    };
    let csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sn.separator)
        .buffer_capacity(256 * 1024)
        .from_reader(src);
    let mut records = csv.into_byte_records();
    Ok(Box::new(std::iter::from_fn(move || {
        let rec = match records.next()? {
            Ok(r) => r,
            Err(e) if e.is_io_error() => return Some(Err(ReadError::Unreadable)),
            Err(_) => return Some(Err(ReadError::Csv)),
        };
        if rec.len() > MAX_COLUMNS {
            return Some(Err(ReadError::TooManyColumns));
        }
        Some(Ok(rec.iter().map(decode_cell).collect()))
    })))
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> Result<usize, ReadError> {
    let mut n = 0;
    while n < buf.len() {
        let Some(rest) = buf.get_mut(n..) else { break };
        match r.read(rest) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Err(ReadError::Unreadable),
        }
    }
    Ok(n)
}

/// A reader of UTF-8 over a reader of another encoding (UTF-16 here).
struct Transcode<R> {
    inner: R,
    dec: Decoder,
    inbuf: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    done: bool,
}

impl<R: Read> Transcode<R> {
    fn new(inner: R, dec: Decoder) -> Self {
        Self {
            inner,
            dec,
            inbuf: vec![0; 64 * 1024],
            out: Vec::new(),
            pos: 0,
            done: false,
        }
    }
}

impl<R: Read> Read for Transcode<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pos >= self.out.len() {
            if self.done {
                return Ok(0);
            }
            let n = self.inner.read(&mut self.inbuf)?;
            let last = n == 0;
            let src = self.inbuf.get(..n).unwrap_or_default();
            let cap = self.dec.max_utf8_buffer_length(n).unwrap_or(n * 3 + 16);
            self.out.clear();
            self.out.resize(cap, 0);
            let (_, _, written, _) = self.dec.decode_to_utf8(src, &mut self.out, last);
            self.out.truncate(written);
            self.pos = 0;
            self.done = last;
        }
        let avail = self.out.get(self.pos..).unwrap_or_default();
        let n = avail.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), avail.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.pos += n;
        Ok(n)
    }
}

/// Text of a spreadsheet cell. Whole numbers lose their `.0` (phones typed as
/// numbers lost their leading 0 already; the phone parser puts it back).
fn xlsx_cell(d: &calamine::DataRef<'_>) -> String {
    use calamine::DataRef as D;
    match d {
        D::Int(i) => i.to_string(),
        D::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        D::Float(f) => f.to_string(),
        D::String(s) => clean(s),
        D::SharedString(s) => clean(s),
        D::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        D::DateTime(dt) => excel_date(dt.as_f64()),
        D::DateTimeIso(s) | D::DurationIso(s) => s.clone(),
        D::Error(_) | D::Empty => String::new(),
    }
}

/// An Excel serial date (days since 1899-12-30) as `YYYY-MM-DD`, with the time
/// when it has one.
fn excel_date(serial: f64) -> String {
    let Some(base) = chrono::NaiveDate::from_ymd_opt(1899, 12, 30) else {
        return String::new();
    };
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return String::new();
    }
    let days = serial.floor();
    let secs = ((serial - days) * 86_400.0).round() as i64;
    let Some(d) = base.checked_add_days(chrono::Days::new(days as u64)) else {
        return String::new();
    };
    if secs == 0 {
        return d.to_string();
    }
    d.and_hms_opt(0, 0, 0)
        .map(|t| (t + chrono::Duration::seconds(secs)).to_string())
        .unwrap_or_default()
}

/// Rows of the first sheet, read on a thread of their own (calamine's streaming
/// reader borrows the workbook) and handed over through a bounded channel.
fn xlsx_rows(input: Input) -> Rows {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<String>, ReadError>>(1024);
    let spawned = std::thread::Builder::new()
        .name("xlsx-reader".into())
        .spawn(move || {
            let sent = read_xlsx(&input, &tx);
            if let Err(e) = sent {
                let _ = tx.send(Err(e));
            }
        });
    if spawned.is_err() {
        return Box::new(std::iter::once(Err(ReadError::Xlsx)));
    }
    let mut ended = false;
    Box::new(std::iter::from_fn(move || {
        if ended {
            return None;
        }
        match rx.recv() {
            Ok(Ok(row)) => Some(Ok(row)),
            Ok(Err(e)) => {
                ended = true;
                Some(Err(e))
            }
            // The reader ended: normally after the last row (it drops the sender).
            Err(_) => None,
        }
    }))
}

type Tx = std::sync::mpsc::SyncSender<Result<Vec<String>, ReadError>>;

fn read_xlsx(input: &Input, tx: &Tx) -> Result<(), ReadError> {
    use calamine::Reader;
    let src: Box<dyn ReadSeek> = match input {
        Input::Bytes(b) => Box::new(Cursor::new(ArcBytes(Arc::clone(b)))),
        Input::Path(p) => Box::new(BufReader::new(
            std::fs::File::open(p).map_err(|_| ReadError::Unreadable)?,
        )),
    };
    let mut book = calamine::Xlsx::new(src).map_err(|_| ReadError::Xlsx)?;
    let sheet = book.sheet_names().first().cloned().ok_or(ReadError::Xlsx)?;
    let mut cells = book
        .worksheet_cells_reader(&sheet)
        .map_err(|_| ReadError::Xlsx)?;
    let mut row: Vec<String> = Vec::new();
    let mut at: Option<u32> = None;
    while let Some(cell) = cells.next_cell().map_err(|_| ReadError::Xlsx)? {
        let (r, c) = cell.get_position();
        let c = c as usize;
        if c >= MAX_COLUMNS {
            return Err(ReadError::TooManyColumns);
        }
        if at != Some(r) {
            if let Some(prev) = at {
                // Rows with no cell at all in between are blank rows.
                let gap = r.saturating_sub(prev).saturating_sub(1).min(1_000_000);
                if tx.send(Ok(std::mem::take(&mut row))).is_err() {
                    return Ok(());
                }
                for _ in 0..gap {
                    if tx.send(Ok(Vec::new())).is_err() {
                        return Ok(());
                    }
                }
            }
            at = Some(r);
        }
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        if let Some(slot) = row.get_mut(c) {
            *slot = xlsx_cell(cell.get_value());
        }
    }
    if at.is_some() {
        let _ = tx.send(Ok(row));
    }
    Ok(())
}

trait ReadSeek: Read + std::io::Seek + Send {}
impl<T: Read + std::io::Seek + Send> ReadSeek for T {}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(bytes: &[u8]) -> Vec<Vec<String>> {
        let (_, r) = open(&Input::Bytes(Arc::new(bytes.to_vec()))).unwrap();
        r.map(|x| x.unwrap()).collect()
    }

    #[test]
    fn utf8_with_bom_and_semicolons() {
        let r = rows("\u{feff}Tên;SĐT\nAn;0912345678\n".as_bytes());
        assert_eq!(r[0], vec!["Tên", "SĐT"]);
        assert_eq!(r[1], vec!["An", "0912345678"]);
    }

    #[test]
    fn utf16_tabs() {
        let text = "Tên\tSĐT\r\nHồng\t0912\r\n";
        let mut b = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            b.extend(u.to_le_bytes());
        }
        let r = rows(&b);
        assert_eq!(r[1], vec!["Hồng", "0912"]);
    }

    /// What Vietnamese Excel writes: base letters precomposed where Windows-1258
    /// has them, tone marks as combining characters.
    pub(crate) fn cp1258(s: &str) -> Vec<u8> {
        let enc = WINDOWS_1258;
        let fits = |c: char| {
            let mut b = [0u8; 4];
            !enc.encode(c.encode_utf8(&mut b)).2
        };
        let tone = |c: char| matches!(c, '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}');
        let mut out = String::new();
        for c in s.nfc() {
            if fits(c) {
                out.push(c);
                continue;
            }
            // Base letter with its vowel marks precomposed, then the tone mark.
            let d: Vec<char> = std::iter::once(c).nfd().collect();
            let mut base = d[0];
            for m in d[1..].iter().filter(|m| !tone(**m)) {
                base = unicode_normalization::char::compose(base, *m).unwrap_or(base);
            }
            out.push(base);
            out.extend(d[1..].iter().filter(|m| tone(**m)));
        }
        enc.encode(&out).0.into_owned()
    }

    #[test]
    fn windows_1258_is_nfc() {
        let bytes = cp1258("Tên,Điện thoại\nNguyễn Thị Hồng Đào,x\n");
        assert_ne!(std::str::from_utf8(&bytes).ok(), Some("x"));
        let r = rows(&bytes);
        assert_eq!(r[1][0], "Nguyễn Thị Hồng Đào");
        assert_eq!(r[1][0].chars().count(), 19);
        assert_eq!(r[0][1], "Điện thoại");
    }
}
