"""Appeals (urgent actions): requests to authorities with a sample letter and a deadline, the
authorities' responses, follow-ups, the public "write a letter" page and letter-writing evenings."""
