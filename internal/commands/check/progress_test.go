package check

// clearLine is what iostreams.ProgressLine writes to erase the line; the
// terminal tests spell out the bytes a terminal receives.
const clearLine = "\r\x1b[K"
