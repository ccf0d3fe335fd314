//! Members of a facility: who may use Mimamori for it, with which role.

pub mod api;
pub mod pages;
