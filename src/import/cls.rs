//! Server trace importer: Skype for Business Server CLS / OCSLogger SIPStack text → SIP records and diagnostics.
