"""The `syllabus` command line: server operations and a client for any Syllabus server."""
