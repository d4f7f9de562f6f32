//! The legacy OP_QUERY (2004) and OP_REPLY (1), needed because some drivers (Node 7.x) still send
//! their first `isMaster` as OP_QUERY on `admin.$cmd`.

use bson::Document;

use super::WireError;
use super::bytes::{Reader, put_cstring, put_document};

/// An OP_QUERY message.
#[derive(Clone, Debug, PartialEq)]
pub struct OpQuery {
    /// Query flags (ignored by the fake mongod).
    pub flags: i32,
    /// `<db>.<collection>`; commands use `<db>.$cmd`.
    pub full_collection_name: String,
    /// Documents to skip.
    pub number_to_skip: i32,
    /// Documents to return (commands use -1 or 1).
    pub number_to_return: i32,
    /// The query or command document.
    pub query: Document,
    /// The optional projection.
    pub return_fields_selector: Option<Document>,
}

impl OpQuery {
    /// A command query on `<db>.$cmd`.
    pub fn command(db: &str, command: Document) -> Self {
        Self {
            flags: 0,
            full_collection_name: format!("{db}.$cmd"),
            number_to_skip: 0,
            number_to_return: -1,
            query: command,
            return_fields_selector: None,
        }
    }

    /// For a command query, the database and the command document (unwrapping the legacy
    /// `{$query: {...}}` form); `None` if this is not a `.$cmd` query.
    pub fn as_command(&self) -> Option<(String, Document)> {
        let db = self.full_collection_name.strip_suffix(".$cmd")?;
        let cmd = match self.query.get_document("$query") {
            Ok(inner) => inner.clone(),
            Err(_) => self.query.clone(),
        };
        Some((db.to_owned(), cmd))
    }

    pub(super) fn decode(body: &[u8]) -> Result<Self, WireError> {
        let mut r = Reader::new(body);
        let flags = r.i32()?;
        let full_collection_name = r.cstring()?;
        let number_to_skip = r.i32()?;
        let number_to_return = r.i32()?;
        let query = r.document()?;
        let return_fields_selector = if r.is_empty() { None } else { Some(r.document()?) };
        if !r.is_empty() {
            return Err(WireError::Malformed("trailing bytes after OP_QUERY"));
        }
        Ok(Self {
            flags,
            full_collection_name,
            number_to_skip,
            number_to_return,
            query,
            return_fields_selector,
        })
    }

    pub(super) fn encode_body(&self, out: &mut Vec<u8>) -> Result<(), WireError> {
        out.extend_from_slice(&self.flags.to_le_bytes());
        put_cstring(out, &self.full_collection_name)?;
        out.extend_from_slice(&self.number_to_skip.to_le_bytes());
        out.extend_from_slice(&self.number_to_return.to_le_bytes());
        put_document(out, &self.query)?;
        if let Some(f) = &self.return_fields_selector {
            put_document(out, f)?;
        }
        Ok(())
    }
}

/// An OP_REPLY message.
#[derive(Clone, Debug, PartialEq)]
pub struct OpReply {
    /// Response flags (0 for a command reply).
    pub response_flags: i32,
    /// Cursor id (0 for a command reply).
    pub cursor_id: i64,
    /// Position of the first document in the cursor.
    pub starting_from: i32,
    /// The returned documents.
    pub documents: Vec<Document>,
}

impl OpReply {
    /// The reply to a command: one document, no cursor.
    pub fn command_reply(doc: Document) -> Self {
        Self { response_flags: 0, cursor_id: 0, starting_from: 0, documents: vec![doc] }
    }

    pub(super) fn decode(body: &[u8]) -> Result<Self, WireError> {
        let mut r = Reader::new(body);
        let response_flags = r.i32()?;
        let cursor_id = r.i64()?;
        let starting_from = r.i32()?;
        let number_returned = r.i32()?;
        let count =
            usize::try_from(number_returned).map_err(|_| WireError::Malformed("negative numberReturned"))?;
        let mut documents = Vec::new();
        while !r.is_empty() {
            documents.push(r.document()?);
        }
        if documents.len() != count {
            return Err(WireError::Malformed("numberReturned does not match the documents"));
        }
        Ok(Self { response_flags, cursor_id, starting_from, documents })
    }

    pub(super) fn encode_body(&self, out: &mut Vec<u8>) -> Result<(), WireError> {
        out.extend_from_slice(&self.response_flags.to_le_bytes());
        out.extend_from_slice(&self.cursor_id.to_le_bytes());
        out.extend_from_slice(&self.starting_from.to_le_bytes());
        let n =
            i32::try_from(self.documents.len()).map_err(|_| WireError::Malformed("too many documents"))?;
        out.extend_from_slice(&n.to_le_bytes());
        for d in &self.documents {
            put_document(out, d)?;
        }
        Ok(())
    }
}
