//! Bounds-checked little-endian reading of message bodies.

use bson::Document;

use super::WireError;

/// A cursor over a message body whose every read checks the remaining length.
pub(super) struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(super) fn new(buf: &'a [u8]) -> Self {
        Self { buf }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub(super) fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        if self.buf.len() < n {
            return Err(WireError::Malformed("field runs past the end of the message"));
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }

    pub(super) fn u8(&mut self) -> Result<u8, WireError> {
        Ok(self.take(1)?[0])
    }

    pub(super) fn i32(&mut self) -> Result<i32, WireError> {
        let b = self.take(4)?;
        Ok(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(super) fn i64(&mut self) -> Result<i64, WireError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(i64::from_le_bytes(a))
    }

    pub(super) fn cstring(&mut self) -> Result<String, WireError> {
        let nul =
            self.buf.iter().position(|&b| b == 0).ok_or(WireError::Malformed("unterminated C string"))?;
        let s = std::str::from_utf8(&self.buf[..nul])
            .map_err(|_| WireError::Malformed("C string is not UTF-8"))?
            .to_owned();
        self.buf = &self.buf[nul + 1..];
        Ok(s)
    }

    /// One BSON document, using its own length prefix.
    pub(super) fn document(&mut self) -> Result<Document, WireError> {
        if self.buf.len() < 5 {
            return Err(WireError::Malformed("document runs past the end of the message"));
        }
        let len = i32::from_le_bytes([self.buf[0], self.buf[1], self.buf[2], self.buf[3]]);
        let len = usize::try_from(len)
            .ok()
            .filter(|&l| l >= 5)
            .ok_or(WireError::Malformed("negative or tiny document length"))?;
        let bytes = self.take(len)?;
        Document::from_reader(bytes).map_err(|e| WireError::Bson(e.to_string()))
    }
}

/// Appends `doc`'s BSON encoding.
pub(super) fn put_document(out: &mut Vec<u8>, doc: &Document) -> Result<(), WireError> {
    let bytes = doc.to_vec().map_err(|e| WireError::Bson(e.to_string()))?;
    out.extend_from_slice(&bytes);
    Ok(())
}

/// Appends `s` and its NUL terminator; a NUL inside `s` is refused.
pub(super) fn put_cstring(out: &mut Vec<u8>, s: &str) -> Result<(), WireError> {
    if s.as_bytes().contains(&0) {
        return Err(WireError::Malformed("C string contains NUL"));
    }
    out.extend_from_slice(s.as_bytes());
    out.push(0);
    Ok(())
}
