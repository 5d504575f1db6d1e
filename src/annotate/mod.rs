//! Annotations: what Skype for Business headers and bodies mean, in plain English (issue 3).
