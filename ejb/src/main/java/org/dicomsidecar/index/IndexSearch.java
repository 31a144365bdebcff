package org.dicomsidecar.index;

import java.util.function.Function;
import org.apache.lucene.search.IndexSearcher;

/** What answering questions needs of the index: bring it up to date, then search it. */
public interface IndexSearch {

    /** Brings the index up to date with CouchDB before a question (everything mirrored so far is then found). */
    void current();

    /** Runs a query over the latest searcher, releasing it however the query ends. */
    <T> T search(Function<IndexSearcher, T> query);
}
