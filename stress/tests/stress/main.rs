#![cfg(not(madsim))]
