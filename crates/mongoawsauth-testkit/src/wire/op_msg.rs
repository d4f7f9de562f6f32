//! OP_MSG (opcode 2013): flag bits, one kind-0 body section, any kind-1 document sequences and an
//! optional CRC-32C checksum.

use bson::{Bson, Document};

use super::WireError;
use super::bytes::{Reader, put_cstring, put_document};
use super::crc32c::crc32c;

/// An OP_MSG message.
#[derive(Clone, Debug, PartialEq)]
pub struct OpMsg {
    /// The flag bits (see the associated constants).
    pub flags: u32,
    /// The kind-0 section: the command document.
    pub body: Document,
    /// Kind-1 sections: an identifier and its documents (e.g. `documents` of an insert).
    pub sequences: Vec<(String, Vec<Document>)>,
}

impl OpMsg {
    /// A checksum follows the sections.
    pub const CHECKSUM_PRESENT: u32 = 1;
    /// The sender expects no reply.
    pub const MORE_TO_COME: u32 = 1 << 1;
    /// The client accepts exhaust replies.
    pub const EXHAUST_ALLOWED: u32 = 1 << 16;
    /// Bits 0-15 are "required": a receiver must reject any it does not know.
    const KNOWN_REQUIRED: u32 = Self::CHECKSUM_PRESENT | Self::MORE_TO_COME;

    /// A message with no flags and no sequences.
    pub fn new(body: Document) -> Self {
        Self { flags: 0, body, sequences: Vec::new() }
    }

    /// Whether the sender expects no reply.
    pub fn more_to_come(&self) -> bool {
        self.flags & Self::MORE_TO_COME != 0
    }

    /// The command: the body with each document sequence added as an array field, which is how
    /// mongod treats kind-1 sections.
    pub fn command(&self) -> Document {
        let mut doc = self.body.clone();
        for (id, docs) in &self.sequences {
            doc.insert(id.clone(), Bson::Array(docs.iter().cloned().map(Bson::Document).collect()));
        }
        doc
    }

    pub(super) fn decode(body: &[u8]) -> Result<Self, WireError> {
        let mut r = Reader::new(body);
        let flags = r.i32()? as u32;
        if flags & 0xFFFF & !Self::KNOWN_REQUIRED != 0 {
            return Err(WireError::Malformed("unknown required OP_MSG flag bit"));
        }
        let mut sections = if flags & Self::CHECKSUM_PRESENT != 0 {
            let end = body
                .len()
                .checked_sub(4)
                .filter(|&e| e >= 4)
                .ok_or(WireError::Malformed("checksum flag set but no checksum"))?;
            Reader::new(&body[4..end])
        } else {
            r
        };
        let mut main = None;
        let mut sequences = Vec::new();
        while !sections.is_empty() {
            match sections.u8()? {
                0 => {
                    if main.replace(sections.document()?).is_some() {
                        return Err(WireError::Malformed("more than one kind-0 section"));
                    }
                }
                1 => {
                    let size = sections.i32()?;
                    let size = usize::try_from(size)
                        .ok()
                        .and_then(|s| s.checked_sub(4))
                        .ok_or(WireError::Malformed("bad document sequence size"))?;
                    let mut seq = Reader::new(sections.take(size)?);
                    let id = seq.cstring()?;
                    let mut docs = Vec::new();
                    while !seq.is_empty() {
                        docs.push(seq.document()?);
                    }
                    sequences.push((id, docs));
                }
                _ => return Err(WireError::Malformed("unknown OP_MSG section kind")),
            }
        }
        let body = main.ok_or(WireError::Malformed("no kind-0 section"))?;
        Ok(Self { flags, body, sequences })
    }

    pub(super) fn encode_body(&self, out: &mut Vec<u8>) -> Result<(), WireError> {
        out.extend_from_slice(&self.flags.to_le_bytes());
        out.push(0);
        put_document(out, &self.body)?;
        for (id, docs) in &self.sequences {
            let start = out.len();
            out.push(1);
            out.extend_from_slice(&[0; 4]);
            put_cstring(out, id)?;
            for d in docs {
                put_document(out, d)?;
            }
            let size = i32::try_from(out.len() - start - 1)
                .map_err(|_| WireError::Malformed("document sequence too large"))?;
            out[start + 1..start + 5].copy_from_slice(&size.to_le_bytes());
        }
        if self.flags & Self::CHECKSUM_PRESENT != 0 {
            out.extend_from_slice(&[0; 4]);
        }
        Ok(())
    }

    /// Fills the checksum once the header is in place (`out` is the whole message).
    pub(super) fn finish_checksum(&self, out: &mut [u8]) {
        if self.flags & Self::CHECKSUM_PRESENT != 0 {
            let end = out.len() - 4;
            let crc = crc32c(&out[..end]);
            out[end..].copy_from_slice(&crc.to_le_bytes());
        }
    }
}

/// Verifies the checksum of a received OP_MSG, if its flags say one is present.
pub(super) fn check_checksum(head: &[u8; 16], body: &[u8]) -> Result<(), WireError> {
    if body.len() < 8 || body[0] & 1 == 0 {
        // No checksum (or too short to hold one: `decode` reports that).
        return Ok(());
    }
    let end = body.len() - 4;
    let mut whole = Vec::with_capacity(16 + end);
    whole.extend_from_slice(head);
    whole.extend_from_slice(&body[..end]);
    let sent = u32::from_le_bytes([body[end], body[end + 1], body[end + 2], body[end + 3]]);
    if crc32c(&whole) == sent { Ok(()) } else { Err(WireError::Checksum) }
}
