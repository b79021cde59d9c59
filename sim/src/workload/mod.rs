//! What a client of the service sends and how it reads the answers, shared
//! by the simulation and the stress tool (compiled in both builds): one
//! request generator per registered operation (`gen`), the reference data
//! those requests point at (`refs`), and the classification of an HTTP
//! answer for the history (`outcome`). Adding an operation touches `gen`
//! (and `refs` if it needs a pool of its own), nothing else.

pub mod gen;
pub mod outcome;
pub mod refs;

pub use gen::{generator, select, OpGen, Payload, GENERATORS};
pub use outcome::{classify, entity_id, Answer, MISMATCH_CODE};
pub use refs::{needs, DestructivePools, Need, RefRequest, Refs, SetupPlan};
