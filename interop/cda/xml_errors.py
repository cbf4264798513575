"""libxml2's parse errors in French: the person importing a file never reads libxml2's English messages."""

from __future__ import annotations

from lxml import etree

_FRENCH = {
    "ERR_DOCUMENT_EMPTY": "le document est vide",
    "ERR_DOCUMENT_START": "le document ne commence pas par une balise",
    "ERR_DOCUMENT_END": "du contenu suit la fin du document",
    "ERR_TAG_NAME_MISMATCH": "une balise fermante ne correspond pas à la balise ouverte",
    "ERR_TAG_NOT_FINISHED": "le document s'arrête avant la fermeture d'une balise",
    "ERR_GT_REQUIRED": "un « > » manque à la fin d'une balise",
    "ERR_LTSLASH_REQUIRED": "une balise fermante est attendue",
    "ERR_LT_IN_ATTRIBUTE": "un « < » figure dans la valeur d'un attribut",
    "ERR_ATTRIBUTE_NOT_STARTED": "la valeur d'un attribut doit être entre guillemets",
    "ERR_ATTRIBUTE_WITHOUT_VALUE": "un attribut n'a pas de valeur",
    "ERR_ATTRIBUTE_REDEFINED": "un attribut est répété dans la même balise",
    "ERR_STRING_NOT_CLOSED": "des guillemets ne sont pas refermés",
    "ERR_STRING_NOT_STARTED": "des guillemets sont attendus",
    "ERR_NAME_REQUIRED": "un nom de balise ou d'attribut est attendu",
    "ERR_SPACE_REQUIRED": "un espace est attendu",
    "ERR_INVALID_CHAR": "le document contient un caractère interdit en XML",
    "ERR_INVALID_CHARREF": "une référence de caractère est invalide",
    "ERR_UNDECLARED_ENTITY": "le document utilise une entité non déclarée",
    "ERR_ENTITYREF_SEMICOL_MISSING": "un « ; » manque à la fin d'une entité",
    "ERR_INVALID_ENCODING": "l'encodage des caractères est invalide",
    "ERR_UNSUPPORTED_ENCODING": "l'encodage déclaré n'est pas pris en charge",
    "ERR_RESERVED_XML_NAME": "la déclaration XML n'est pas au début du document",
    "ERR_PI_NOT_STARTED": "une instruction de traitement est mal formée",
    "ERR_COMMENT_NOT_FINISHED": "un commentaire n'est pas refermé",
    "ERR_CDATA_NOT_FINISHED": "une section CDATA n'est pas refermée",
    "ERR_EXT_ENTITY_STANDALONE": "le document fait appel à une entité externe",
    "ERR_HUGE_LOOKUP": "le document dépasse les limites de l'analyseur",
    "NS_ERR_UNDEFINED_NAMESPACE": "un préfixe d'espace de noms n'est pas déclaré",
}


def french_xml_error(exc: etree.XMLSyntaxError) -> str:
    """« une balise fermante ne correspond pas à la balise ouverte (ligne 3, colonne 12) »."""
    name = etree.ErrorTypes._getName(exc.code, "") if exc.code is not None else ""
    text = _FRENCH.get(name, "erreur de syntaxe XML")
    line, column = (exc.position or (None, None))[:2] if exc.position else (exc.lineno, None)
    if line:
        where = f"ligne {line}" + (f", colonne {column}" if column else "")
        return f"{text} ({where})"
    return text
