//! Loopback stand-ins for testing MONGODB-AWS authentication end to end.

pub mod amz_date;
pub mod http;
pub mod identity;
mod random;
pub mod sigv4;
pub mod sts;
