//! Walking a JSON document's top-level array one element at a time (serde's streaming
//! deserializer with a visitor), so a 2 GB NVD page is never held whole.

use std::cell::RefCell;
use std::fmt;
use std::io::Read;
use std::marker::PhantomData;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor,
};

use super::{Context, FeedError};

/// Hands each element of the array under `key` to `on_item`; returns the last string value of
/// any of `stamp_keys` (a page's `timestamp`, a catalogue's `dateReleased`).
pub(crate) fn each_in_array<T: DeserializeOwned>(
    stream: impl Read,
    key: &'static str,
    stamp_keys: &'static [&'static str],
    context: &Context<'_>,
    on_item: impl FnMut(T) -> Result<(), String>,
) -> Result<Option<String>, FeedError> {
    let stopped = RefCell::new(None);
    let mut stamp = None;
    let mut de = serde_json::Deserializer::from_reader(stream);
    let top = Top {
        key,
        stamp_keys,
        stamp: &mut stamp,
        items: Items {
            on_item: RefCell::new(on_item),
            stopped: &stopped,
            context,
            _item: PhantomData,
        },
    };
    let result = top.deserialize(&mut de).and_then(|()| de.end());
    if let Some(reason) = stopped.into_inner() {
        return Err(context.stopped(reason));
    }
    result.map_err(|e| context.json(&e))?;
    Ok(stamp)
}

struct Top<'s, 'c, T, F> {
    key: &'static str,
    stamp_keys: &'static [&'static str],
    stamp: &'s mut Option<String>,
    items: Items<'s, 'c, T, F>,
}

struct Items<'s, 'c, T, F> {
    on_item: RefCell<F>,
    stopped: &'s RefCell<Option<String>>,
    context: &'s Context<'c>,
    _item: PhantomData<T>,
}

impl<'de, T: DeserializeOwned, F: FnMut(T) -> Result<(), String>> DeserializeSeed<'de>
    for Top<'_, '_, T, F>
{
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned, F: FnMut(T) -> Result<(), String>> Visitor<'de>
    for Top<'_, '_, T, F>
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object with \"{}\"", self.key)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = false;
        while let Some(name) = map.next_key::<String>()? {
            if name == self.key && !seen {
                seen = true;
                map.next_value_seed(&self.items)?;
            } else if self.stamp_keys.contains(&name.as_str()) {
                let value: serde_json::Value = map.next_value()?;
                if let Some(text) = value.as_str() {
                    *self.stamp = Some(text.to_string());
                }
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        if !seen {
            return Err(de::Error::custom(format!("no \"{}\" array", self.key)));
        }
        Ok(())
    }
}

impl<'de, T: DeserializeOwned, F: FnMut(T) -> Result<(), String>> DeserializeSeed<'de>
    for &Items<'_, '_, T, F>
{
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: DeserializeOwned, F: FnMut(T) -> Result<(), String>> Visitor<'de>
    for &Items<'_, '_, T, F>
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<T>()? {
            self.context.meter.record_ended();
            if let Err(reason) = (self.on_item.borrow_mut())(item) {
                *self.stopped.borrow_mut() = Some(reason.clone());
                return Err(de::Error::custom(reason));
            }
        }
        Ok(())
    }
}
