"""Reading inputs and writing outputs: decoding, HTML extraction, file discovery."""
